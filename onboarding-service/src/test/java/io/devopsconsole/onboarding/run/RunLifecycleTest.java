package io.devopsconsole.onboarding.run;

import static io.devopsconsole.onboarding.e2e.OnboardingJourneyTest.BASE;
import static io.devopsconsole.onboarding.e2e.OnboardingJourneyTest.as;
import static io.devopsconsole.onboarding.e2e.OnboardingJourneyTest.ok;
import static org.assertj.core.api.Assertions.assertThat;

import io.devopsconsole.onboarding.OnboardingHosts;
import io.devopsconsole.onboarding.RegistryProcess;
import io.devopsconsole.onboarding.e2e.OnboardingJourneyTest;
import io.devopsconsole.testkit.Sql;
import io.devopsconsole.testkit.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Intake validation, the production gate, list/get/cancel, rejected and failing plans, target removal. */
@QuarkusTest
class RunLifecycleTest {

    @jakarta.inject.Inject
    PlanService plans;

    /**
     * A plan whose replica stopped (its lease lapsed) ends failed at the next sweep, and so does its run;
     * a plan another replica still executes (its lease renewed) is left alone.
     */
    @Test
    void aPlanLeftByAStoppedReplicaEndsFailedWithItsRunAndALiveOneDoesNot() throws Exception {
        String left = interruptedPlan("now() - interval '1 second'");
        String live = interruptedPlan("now() + interval '1 minute'");
        plans.sweepInterrupted();
        JsonPath run = OnboardingJourneyTest.await(
                BASE + "/" + left.split(" ")[0], r -> r.getString("state").equals("failed"), "the run failed");
        assertThat(run.getString("failure")).contains("interrupted");
        JsonPath p = ok(as(Tokens.viewer()).get("/api/install-plans/" + left.split(" ")[1]), 200);
        assertThat(p.getString("state")).isEqualTo("failed");
        assertThat(p.getString("summary")).contains("replica executing it stopped");
        plans.sweepInterrupted();
        Thread.sleep(300);
        assertThat(ok(as(Tokens.viewer()).get("/api/install-plans/" + live.split(" ")[1]), 200)
                        .getString("state"))
                .isEqualTo("executing");
        assertThat(ok(as(Tokens.viewer()).get(BASE + "/" + live.split(" ")[0]), 200)
                        .getString("state"))
                .isEqualTo("installing");
    }

    /** "run-id plan-id" of an installing run whose plan executes with a lease until {@code leaseUntil}. */
    private static String interruptedPlan(String leaseUntil) throws Exception {
        String name = "restart-" + UUID.randomUUID().toString().substring(0, 6);
        String id = ok(
                        as(Tokens.operator())
                                .body(Map.of("host", "10.20.30.50", "name", name, "access_path", "lan"))
                                .post(BASE),
                        201)
                .getString("id");
        UUID plan = UUID.randomUUID();
        Sql.exec(
                "UPDATE onboarding.onboarding_run SET state = 'installing', version = version + 1 WHERE id = ?::uuid",
                id);
        Sql.exec(
                "INSERT INTO onboarding.install_plan (id, run_id, target_name, environment, state, advisory, steps,"
                        + " requested_by, requested_at, executed_by, started_at, lease_until) VALUES (?::uuid, ?::uuid, ?, 'lab',"
                        + " 'executing', 'x', '[\"apt update\"]'::jsonb, 'olga', now(), 'olga', now(), " + leaseUntil
                        + ")",
                plan.toString(),
                id,
                name);
        return id + " " + plan;
    }

    /**
     * While one advance of a run is under way (on this replica or another), a second is a 409 naming
     * the state and leaves no step behind; once that claim lapses (its replica died) the run advances.
     */
    @Test
    void aRunIsAdvancedByOneRequestAtATime() throws Exception {
        String name = "claim-" + UUID.randomUUID().toString().substring(0, 6);
        String id = ok(
                        as(Tokens.operator())
                                .body(Map.of("host", "10.20.30.51", "name", name, "access_path", "lan"))
                                .post(BASE),
                        201)
                .getString("id");
        int closedPort;
        try (var s = new java.net.ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        // waiting for its host key, from a host that refuses connections: an advance is quick and records a failed read
        Sql.exec(
                "UPDATE onboarding.onboarding_run SET state = 'host_key_pending', host = '127.0.0.1', port = ?,"
                        + " version = version + 1 WHERE id = ?::uuid",
                closedPort,
                id);
        int steps = ok(as(Tokens.viewer()).get(BASE + "/" + id), 200)
                .getList("steps")
                .size();
        Sql.exec(
                "UPDATE onboarding.onboarding_run SET advancing_by = 'olga', advancing_until = now() + interval '1 minute'"
                        + " WHERE id = ?::uuid",
                id);
        var refused = as(Tokens.operator()).post(BASE + "/" + id + "/advance");
        assertThat(refused.statusCode()).isEqualTo(409);
        assertThat(refused.jsonPath().getString("errors[0].field")).isEqualTo("state");
        assertThat(refused.jsonPath().getString("detail")).contains("being advanced already");
        JsonPath unchanged = ok(as(Tokens.viewer()).get(BASE + "/" + id), 200);
        assertThat(unchanged.getString("state")).isEqualTo("host_key_pending");
        assertThat(unchanged.getList("steps")).hasSize(steps);
        Sql.exec(
                "UPDATE onboarding.onboarding_run SET advancing_until = now() - interval '1 second' WHERE id = ?::uuid",
                id);
        var advanced = as(Tokens.operator()).post(BASE + "/" + id + "/advance");
        assertThat(advanced.statusCode()).as(advanced.asString()).isEqualTo(200);
        assertThat(advanced.jsonPath().getList("steps")).hasSize(steps + 1);
        assertThat(Sql.count(
                        "SELECT count(*) FROM onboarding.onboarding_run WHERE id = ?::uuid AND advancing_by IS NULL",
                        id))
                .isEqualTo(1);
    }

    /**
     * A client that disconnects while its advance runs changes nothing shared: the step still ends (its
     * outcome recorded) and the run's claim is let go, so the next advance is not refused for minutes.
     */
    @Test
    void anAdvanceWhoseClientDisconnectsStillEndsAndLetsTheRunGo() throws Exception {
        String name = "gone-" + UUID.randomUUID().toString().substring(0, 6);
        String id = ok(
                        as(Tokens.operator())
                                .body(Map.of("host", "10.20.30.52", "name", name, "access_path", "lan"))
                                .post(BASE),
                        201)
                .getString("id");
        // a host that accepts the connection and never speaks: reading its key takes the whole connect timeout
        try (var silent = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            List<java.net.Socket> held = new java.util.concurrent.CopyOnWriteArrayList<>();
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        held.add(silent.accept());
                    }
                } catch (java.io.IOException closed) {
                    // the test is over
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            Sql.exec(
                    "UPDATE onboarding.onboarding_run SET state = 'host_key_pending', host = '127.0.0.1', port = ?,"
                            + " version = version + 1 WHERE id = ?::uuid",
                    silent.getLocalPort(),
                    id);
            int steps = ok(as(Tokens.viewer()).get(BASE + "/" + id), 200)
                    .getList("steps")
                    .size();
            try (java.net.Socket client = new java.net.Socket("127.0.0.1", io.restassured.RestAssured.port)) {
                client.getOutputStream()
                        .write(("POST " + BASE + "/" + id + "/advance HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                        + "Authorization: Bearer " + Tokens.operator()
                                        + "\r\nContent-Length: 0\r\n\r\n")
                                .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                client.getOutputStream().flush();
                Thread.sleep(500); // the advance holds the claim and waits for the silent host
            } // the client goes away mid-step
            JsonPath after = OnboardingJourneyTest.await(
                    BASE + "/" + id,
                    r -> r.getList("steps").size() == steps + 1,
                    "the step ended although its client left");
            assertThat(after.getString("state")).isEqualTo("host_key_pending");
            assertThat(Sql.count(
                            "SELECT count(*) FROM onboarding.onboarding_run WHERE id = ?::uuid AND advancing_by IS NULL",
                            id))
                    .as("the claim is let go")
                    .isEqualTo(1);
            held.forEach(sock -> {
                try {
                    sock.close();
                } catch (java.io.IOException ignored) {
                    // closing
                }
            });
        }
    }

    /** Hostile or wrong values for every intake field: 400 naming the field, and no run written. */
    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "host|10.0.0.1; rm -rf /|host",
                "host|$(reboot)|host",
                "host|`id`.example.com|host",
                "host|a b|host",
                "host|-oProxyCommand=id|host",
                "name|x;y|name",
                "name|../etc|name",
                "name|-rf|name",
                "user|root;id|user",
                "user|$(id)|user",
                "user|Root|user",
                "user|-oProxyCommand=id|user",
                "environment|prod;x|environment",
                "access_path|vpn|access_path",
                "port|0|port",
                "port|70000|port",
                "request|I have a server at 10.0.0.1; call it $(reboot)|name",
                "request|onboard 999.1.1.1 call it x1|host"
            })
    void badIntakeIsRefusedNamingTheField(String field, String value, String expectedField) {
        Map<String, Object> body = new HashMap<>();
        body.put("host", "10.9.8.7");
        body.put("name", "valid-" + UUID.randomUUID().toString().substring(0, 6));
        if (field.equals("port")) {
            body.put(field, Integer.parseInt(value));
        } else if (field.equals("request")) {
            body.clear();
            body.put("request", value);
        } else {
            body.put(field, value);
        }
        long runs = Sql.count("SELECT count(*) FROM onboarding.onboarding_run");
        JsonPath refused = ok(as(Tokens.operator()).body(body).post(BASE), 400);
        assertThat(refused.getList("errors.field", String.class))
                .as(refused.prettify())
                .contains(expectedField);
        assertThat(Sql.count("SELECT count(*) FROM onboarding.onboarding_run")).isEqualTo(runs);
    }

    /** A site or tunnel the intake names must exist in the registry: nothing is stored for made-up ids. */
    @Test
    void intakeNamingAnUnknownSiteOrTunnelIsRefused() throws Exception {
        RegistryProcess.url();
        long runs = Sql.count("SELECT count(*) FROM onboarding.onboarding_run");
        for (String[] c : new String[][] {{"site_id", "site_id"}, {"tunnel_profile_id", "tunnel_profile_id"}}) {
            Map<String, Object> body = new HashMap<>(Map.of(
                    "host",
                    "10.20.30.60",
                    "access_path",
                    "tunnel",
                    "name",
                    "ghost-" + UUID.randomUUID().toString().substring(0, 6)));
            body.put(c[0], UUID.randomUUID().toString());
            JsonPath refused = ok(as(Tokens.operator()).body(body).post(BASE), 400);
            assertThat(refused.getList("errors.field", String.class))
                    .as(refused.prettify())
                    .containsExactly(c[1]);
        }
        assertThat(Sql.count("SELECT count(*) FROM onboarding.onboarding_run")).isEqualTo(runs);
    }

    @Test
    void structuredIntakeKeepsTheOperatorsNetworkAndProductionNeedsAnApprover() throws Exception {
        RegistryProcess.url();
        String name = "fields-" + UUID.randomUUID().toString().substring(0, 6);
        JsonPath run = ok(
                as(Tokens.operator())
                        .body(Map.of("host", "10.20.30.40", "name", name, "access_path", "lan"))
                        .post(BASE),
                201);
        assertThat(run.getString("intake.fields.host.source")).isEqualTo("given");
        assertThat(run.getString("intake.fields.user.value")).isEqualTo("root");
        assertThat(run.getString("intake.fields.user.source")).isEqualTo("default");
        assertThat(run.getInt("intake.fields.port.value")).isEqualTo(22);
        assertThat(run.getString("intake.fields.network.source")).isEqualTo("given");
        assertThat(run.getString("waiting_for")).startsWith("advance");

        Map<String, Object> prod = Map.of("host", "10.20.30.41", "name", "prod-" + name, "environment", "production");
        ok(as(Tokens.operator()).body(prod).post(BASE), 403);
        assertThat(ok(as(Tokens.approver()).body(prod).post(BASE), 400).getString("errors[0].field"))
                .isEqualTo("confirm_production");
        Map<String, Object> confirmed = new HashMap<>(prod);
        confirmed.put("confirm_production", true);
        assertThat(ok(as(Tokens.approver()).body(confirmed).post(BASE), 201).getString("environment"))
                .isEqualTo("production");

        // list with filters, get, cancel
        JsonPath listed = ok(as(Tokens.viewer()).get(BASE + "?state=intake&name_prefix=" + name), 200);
        assertThat(listed.getList("items.id", String.class)).containsExactly(run.getString("id"));
        assertThat(listed.getList("items.steps")).containsOnlyNulls();
        ok(as(Tokens.viewer()).get(BASE + "?state=nonsense"), 400);
        ok(as(Tokens.viewer()).get(BASE + "/" + UUID.randomUUID()), 404);
        ok(as(Tokens.viewer()).post(BASE + "/" + run.getString("id") + "/cancel"), 403);
        JsonPath cancelled = ok(as(Tokens.operator()).post(BASE + "/" + run.getString("id") + "/cancel"), 200);
        assertThat(cancelled.getString("state")).isEqualTo("cancelled");
        assertThat(cancelled.getString("finished_at")).isNotNull();
        ok(as(Tokens.operator()).post(BASE + "/" + run.getString("id") + "/cancel"), 409);
        ok(as(Tokens.operator()).post(BASE + "/" + run.getString("id") + "/advance"), 409);
        // the name is free again once the run is over
        ok(
                as(Tokens.operator())
                        .body(Map.of("host", "10.20.30.40", "name", name, "access_path", "lan"))
                        .post(BASE),
                201);
    }

    @Test
    void aRejectedPlanGoesBackAndAFailingStepStopsTheSequence() throws Exception {
        OnboardingHosts.resetShims();
        RegistryProcess.url();
        String id = OnboardingJourneyTest.trustedRun(
                "plans-" + UUID.randomUUID().toString().substring(0, 6),
                OnboardingHosts.host().port());
        ok(as(Tokens.operator()).post(BASE + "/" + id + "/advance"), 200);
        String first = ok(as(Tokens.operator()).post(BASE + "/" + id + "/advance"), 200)
                .getString("install_plan_id");
        JsonPath rejected = ok(
                as(Tokens.operator()).body(Map.of("note", "not today")).post("/api/install-plans/" + first + "/reject"),
                200);
        assertThat(rejected.getString("state")).isEqualTo("rejected");
        assertThat(rejected.getString("decision_note")).isEqualTo("not today");
        ok(as(Tokens.operator()).body(Map.of("note", "again")).post("/api/install-plans/" + first + "/approve"), 409);
        assertThat(ok(as(Tokens.viewer()).get(BASE + "/" + id), 200).getString("state"))
                .isEqualTo("readiness_checked");

        JsonPath again = ok(as(Tokens.operator()).post(BASE + "/" + id + "/advance"), 200);
        String second = again.getString("install_plan_id");
        assertThat(second).isNotEqualTo(first);
        ok(as(Tokens.operator()).body(Map.of()).post("/api/install-plans/" + second + "/approve"), 200);
        OnboardingHosts.failing("npm");
        int before = OnboardingHosts.calls().size();
        ok(
                as(Tokens.operator())
                        .body(Map.of("confirm_execute", true))
                        .post("/api/install-plans/" + second + "/execute"),
                202);
        JsonPath failed = OnboardingJourneyTest.await(
                BASE + "/" + id, r -> r.getString("state").equals("failed"), "the failed install");
        assertThat(failed.getString("failure"))
                .contains("step 3")
                .contains("npm install -g @openai/codex")
                .contains("exited 100");
        JsonPath plan = ok(as(Tokens.viewer()).get("/api/install-plans/" + second), 200);
        assertThat(plan.getString("state")).isEqualTo("failed");
        assertThat(plan.getList("step_results.exit_code", Integer.class)).containsExactly(0, 0, 100);
        assertThat(plan.getString("step_results[2].output")).contains("failing as asked");
        List<String> calls = OnboardingHosts.calls();
        // nothing after the failing step ran
        assertThat(calls.subList(before, calls.size()))
                .containsExactly(
                        "sudo -n apt update",
                        "apt update",
                        "sudo -n apt install -y nodejs npm bubblewrap",
                        "apt install -y nodejs npm bubblewrap",
                        "sudo -n npm install -g @openai/codex",
                        "npm install -g @openai/codex");
        OnboardingHosts.resetShims();
    }

    @Test
    void productionNeedsAnApproverAndTheProductionConfirmationAtEveryStep() throws Exception {
        OnboardingHosts.resetShims();
        RegistryProcess.url();
        String name = "prod-" + UUID.randomUUID().toString().substring(0, 6);
        String id = ok(
                        as(Tokens.approver())
                                .body(Map.of(
                                        "host",
                                        "127.0.0.1",
                                        "port",
                                        OnboardingHosts.productionHost().port(),
                                        "name",
                                        name,
                                        "user",
                                        OnboardingHosts.USER,
                                        "environment",
                                        "production",
                                        "access_path",
                                        "lan",
                                        "confirm_production",
                                        true))
                                .post(BASE),
                        201)
                .getString("id");
        JsonPath pending = ok(as(Tokens.approver()).post(BASE + "/" + id + "/advance"), 200);
        String fingerprint = pending.getString("presented_host_key.fingerprint_sha256");
        ok(
                as(Tokens.operator())
                        .body(Map.of("confirm_trust", true, "fingerprint_sha256", fingerprint))
                        .post(BASE + "/" + id + "/host-key/trust"),
                403);
        ok(
                as(Tokens.approver())
                        .body(Map.of("confirm_trust", true, "fingerprint_sha256", fingerprint))
                        .post(BASE + "/" + id + "/host-key/trust"),
                200);
        ok(as(Tokens.approver()).post(BASE + "/" + id + "/advance"), 200);
        String plan = ok(as(Tokens.approver()).post(BASE + "/" + id + "/advance"), 200)
                .getString("install_plan_id");
        ok(
                as(Tokens.operator())
                        .body(Map.of("confirm_production", true))
                        .post("/api/install-plans/" + plan + "/approve"),
                403);
        assertThat(ok(as(Tokens.approver()).body(Map.of()).post("/api/install-plans/" + plan + "/approve"), 400)
                        .getString("errors[0].field"))
                .isEqualTo("confirm_production");
        ok(
                as(Tokens.approver())
                        .body(Map.of("confirm_production", true))
                        .post("/api/install-plans/" + plan + "/approve"),
                200);
        int before = OnboardingHosts.calls().size();
        ok(
                as(Tokens.operator())
                        .body(Map.of("confirm_execute", true, "confirm_production", true))
                        .post("/api/install-plans/" + plan + "/execute"),
                403);
        assertThat(ok(
                                as(Tokens.approver())
                                        .body(Map.of("confirm_execute", true))
                                        .post("/api/install-plans/" + plan + "/execute"),
                                400)
                        .getString("errors[0].field"))
                .isEqualTo("confirm_production");
        assertThat(OnboardingHosts.calls()).hasSize(before); // nothing ran on the host for the refused attempts
        assertThat(ok(as(Tokens.viewer()).get("/api/install-plans/" + plan), 200)
                        .getString("state"))
                .isEqualTo("approved");
        JsonPath cancelled = ok(as(Tokens.approver()).post(BASE + "/" + id + "/cancel"), 200);
        assertThat(cancelled.getString("state")).isEqualTo("cancelled");
        assertThat(ok(as(Tokens.viewer()).get("/api/install-plans/" + plan), 200)
                        .getString("state"))
                .isEqualTo("cancelled");
    }

    @Test
    void aRemovedTargetClearsTheRunsReferenceAndKeepsItsHistory() throws Exception {
        String registry = RegistryProcess.url();
        String id = OnboardingJourneyTest.trustedRun(
                "removed-" + UUID.randomUUID().toString().substring(0, 6),
                OnboardingHosts.host().port());
        String target = ok(as(Tokens.viewer()).get(BASE + "/" + id), 200).getString("target_id");
        // the registry applies the trust from onboarding's event; retiring while it does raced it (409)
        OnboardingJourneyTest.awaitRegistry(
                "/api/ssh-targets/" + target,
                t -> t.getString("trusted_host_key.fingerprint_sha256") != null,
                "the trust reached the registry");
        as(Tokens.operator())
                .body(Map.of())
                .post(registry + "/api/ssh-targets/" + target + "/retire")
                .then()
                .statusCode(200);
        as(Tokens.admin())
                .body(Map.of("confirm", true, "reason", "decommissioned"))
                .delete(registry + "/api/ssh-targets/" + target)
                .then()
                .statusCode(204);
        JsonPath cleared = OnboardingJourneyTest.await(
                BASE + "/" + id, r -> r.getString("target_id") == null, "the reference cleared");
        assertThat(cleared.getList("steps.step", String.class))
                .containsSubsequence("intake", "target_registered", "host_key_trusted");
    }
}
