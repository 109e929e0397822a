package io.devopsconsole.onboarding.e2e;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.devopsconsole.onboarding.OnboardingHosts;
import io.devopsconsole.onboarding.RegistryProcess;
import io.devopsconsole.platform.validation.HostKeys;
import io.devopsconsole.testkit.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * A bare server to "ready for Codex" entirely through the public API, against Debian's OpenSSH on
 * loopback (logging in as an unprivileged test user) and registry-service as its own process:
 * natural-language intake → host-key trust → probe → readiness → install plan → approval →
 * execution (recording shims: the exact argv sequence is asserted) → auth slot lease + provision
 * → ready. And a run stopped by a host key that changed after it was trusted.
 */
@QuarkusTest
public class OnboardingJourneyTest {

    public static final String BASE = "/api/agent-target-onboarding";

    public static RequestSpecification as(String token) {
        return given().auth().oauth2(token).contentType(ContentType.JSON).accept(ContentType.JSON);
    }

    /** Everything the API answered in these tests (the canary test scans it). */
    public static final List<String> RESPONSES = java.util.Collections.synchronizedList(new ArrayList<>());

    public static JsonPath ok(Response r, int status) {
        RESPONSES.add(r.asString());
        assertThat(r.statusCode()).as(r.asString()).isEqualTo(status);
        return r.jsonPath();
    }

    public static JsonPath await(String path, Predicate<JsonPath> done, String what) throws InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        JsonPath last = null;
        while (System.nanoTime() < deadline) {
            Response r = as(Tokens.viewer()).get(path);
            RESPONSES.add(r.asString());
            if (r.statusCode() == 200) {
                last = r.jsonPath();
                if (done.test(last)) {
                    return last;
                }
            }
            Thread.sleep(200);
        }
        throw new AssertionError(what + " did not happen; last answer: " + (last == null ? "none" : last.prettify()));
    }

    public static JsonPath awaitRegistry(String path, Predicate<JsonPath> done, String what) throws Exception {
        String url = RegistryProcess.url() + path;
        long deadline = System.nanoTime() + 60_000_000_000L;
        JsonPath last = null;
        while (System.nanoTime() < deadline) {
            Response r = as(Tokens.viewer()).get(url);
            if (r.statusCode() == 200) {
                last = r.jsonPath();
                if (done.test(last)) {
                    return last;
                }
            }
            Thread.sleep(200);
        }
        throw new AssertionError(
                what + " did not happen in the registry; last: " + (last == null ? "none" : last.prettify()));
    }

    public static String fingerprint(String hostKeyLine) {
        String[] parts = hostKeyLine.split(" ");
        return HostKeys.fingerprint(parts[0], parts[1]).orElseThrow();
    }

    /** Starts a run for a fresh name on the given host (port) and walks it to probing (trusted). */
    public static String trustedRun(String name, int port) {
        JsonPath run = ok(
                as(Tokens.operator())
                        .body(Map.of(
                                "request",
                                "I have a new server for you to onboard, it's at" + " 127.0.0.1 port " + port
                                        + ", call it " + name + ", log in as " + OnboardingHosts.USER))
                        .post(BASE),
                201);
        String id = run.getString("id");
        ok(as(Tokens.operator()).post(BASE + "/" + id + "/advance"), 200);
        JsonPath pending = ok(as(Tokens.operator()).get(BASE + "/" + id), 200);
        ok(
                as(Tokens.operator())
                        .body(Map.of(
                                "confirm_trust",
                                true,
                                "fingerprint_sha256",
                                pending.getString("presented_host_key.fingerprint_sha256")))
                        .post(BASE + "/" + id + "/host-key/trust"),
                200);
        return id;
    }

    @Test
    void aBareServerBecomesReadyThroughThePublicApi() throws Exception {
        OnboardingHosts.resetShims();
        String registry = RegistryProcess.url();
        int port = OnboardingHosts.host().port();
        String name = "devOps-test-" + UUID.randomUUID().toString().substring(0, 6);
        long started = System.nanoTime();

        // a network rule for loopback, so site and access path are inferred (the operator gave none)
        String site = as(Tokens.operator())
                .body(Map.of("name", "loopback-lab-" + name.substring(12), "description", "test hosts"))
                .post(registry + "/api/sites")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
        as(Tokens.admin())
                .body(Map.of("cidr", "127.0.0.0/8", "site_id", site, "access_path", "lan", "description", "loopback"))
                .post(registry + "/api/network-rules")
                .then()
                .statusCode(org.hamcrest.Matchers.anyOf(org.hamcrest.Matchers.is(201), org.hamcrest.Matchers.is(409)));

        // intake: a host-only request is refused with a question for the name
        JsonPath hostOnly = ok(
                as(Tokens.operator())
                        .body(Map.of("request", "please onboard the server at 127.0.0.1"))
                        .post(BASE),
                400);
        assertThat(hostOnly.getString("errors[0].field")).isEqualTo("name");
        assertThat(hostOnly.getString("errors[0].message"))
                .contains("what should 127.0.0.1 be called in the inventory");

        JsonPath run = ok(
                as(Tokens.operator())
                        .body(Map.of(
                                "request",
                                "I have a new server for you to onboard, it's at" + " 127.0.0.1 port " + port
                                        + ", call it " + name + ", log in as " + OnboardingHosts.USER))
                        .post(BASE),
                201);
        String id = run.getString("id");
        assertThat(run.getString("state")).isEqualTo("intake");
        assertThat(run.getString("intake.fields.host.source")).isEqualTo("extracted");
        assertThat(run.getString("intake.fields.host.reason")).contains("127.0.0.1");
        assertThat(run.getString("intake.fields.name.value")).isEqualTo(name);
        assertThat(run.getString("intake.fields.user.value")).isEqualTo(OnboardingHosts.USER);
        assertThat(run.getInt("intake.fields.port.value")).isEqualTo(port);
        assertThat(run.getString("intake.fields.environment.source")).isEqualTo("default");
        assertThat(run.getString("environment")).isEqualTo("lab");
        assertThat(run.getString("intake.fields.network.source")).isEqualTo("inferred");
        assertThat(run.getString("site_id")).isNotNull();
        assertThat(run.getString("intake.fields.network.reason")).contains("127.0.0.0/8");
        // the same name cannot be onboarded twice at once
        ok(as(Tokens.operator()).body(Map.of("host", "127.0.0.1", "name", name)).post(BASE), 409);

        // advance: the target is registered and its host key read; the run waits for trust
        JsonPath pending = ok(as(Tokens.operator()).post(BASE + "/" + id + "/advance"), 200);
        assertThat(pending.getString("state")).isEqualTo("host_key_pending");
        String presented = fingerprint(OnboardingHosts.host().hostKeyLine());
        assertThat(pending.getString("presented_host_key.fingerprint_sha256")).isEqualTo(presented);
        assertThat(pending.getString("waiting_for")).startsWith("confirm_trust").contains(presented);
        String targetId = pending.getString("target_id");
        assertThat(targetId).isNotNull();
        // advancing again does not trust anything
        assertThat(ok(as(Tokens.operator()).post(BASE + "/" + id + "/advance"), 200)
                        .getString("state"))
                .isEqualTo("host_key_pending");
        JsonPath seen = ok(as(Tokens.viewer()).get(BASE + "/" + id + "/host-key"), 200);
        assertThat(seen.getString("presented.fingerprint_sha256")).isEqualTo(presented);
        assertThat(seen.getBoolean("matches_recorded")).isTrue();

        // trust: never without the explicit confirmation, never a different fingerprint, never by a viewer
        assertThat(ok(as(Tokens.operator()).body(Map.of()).post(BASE + "/" + id + "/host-key/trust"), 400)
                        .getString("errors[0].field"))
                .isEqualTo("confirm_trust");
        assertThat(ok(
                                as(Tokens.operator())
                                        .body(Map.of("confirm_trust", true, "fingerprint_sha256", "SHA256:not-it"))
                                        .post(BASE + "/" + id + "/host-key/trust"),
                                400)
                        .getString("errors[0].field"))
                .isEqualTo("fingerprint_sha256");
        ok(as(Tokens.viewer()).body(Map.of("confirm_trust", true)).post(BASE + "/" + id + "/host-key/trust"), 403);
        JsonPath trusted = ok(
                as(Tokens.operator())
                        .body(Map.of("confirm_trust", true, "fingerprint_sha256", presented))
                        .post(BASE + "/" + id + "/host-key/trust"),
                200);
        assertThat(trusted.getString("state")).isEqualTo("probing");
        assertThat(trusted.getString("trusted_host_key.fingerprint_sha256")).isEqualTo(presented);

        // probe + readiness, for real, as the unprivileged user
        JsonPath checked = ok(as(Tokens.operator()).post(BASE + "/" + id + "/advance"), 200);
        assertThat(checked.getString("state")).as(checked.prettify()).isEqualTo("readiness_checked");
        assertThat(checked.getString("probe.whoami")).isEqualTo(OnboardingHosts.USER);
        assertThat(checked.getString("probe.pwd"))
                .isEqualTo(OnboardingHosts.home().toString());
        assertThat(checked.getString("probe.hostname")).isNotBlank();
        assertThat(checked.getString("readiness.codex")).isNull();
        assertThat(checked.getString("readiness.bubblewrap")).isNull();
        assertThat(checked.getString("readiness.codex_status")).isEqualTo("missing");
        assertThat(checked.getString("readiness.advisory_plan"))
                .contains("codex")
                .contains("bubblewrap");
        long readinessAt = System.nanoTime();

        // the plan: proposed, then approved, then executed with the explicit confirmation
        JsonPath planned = ok(as(Tokens.operator()).post(BASE + "/" + id + "/advance"), 200);
        assertThat(planned.getString("state")).isEqualTo("install_plan_pending");
        String plan = planned.getString("install_plan_id");
        JsonPath proposed = ok(as(Tokens.viewer()).get("/api/install-plans/" + plan), 200);
        assertThat(proposed.getString("state")).isEqualTo("proposed");
        assertThat(proposed.getList("steps", String.class))
                .containsExactly(
                        "sudo -n apt update",
                        "sudo -n apt install -y nodejs npm bubblewrap",
                        "sudo -n npm install -g @openai/codex",
                        "codex --version",
                        "bwrap --version");
        ok(
                as(Tokens.operator())
                        .body(Map.of("confirm_execute", true))
                        .post("/api/install-plans/" + plan + "/execute"),
                409);
        JsonPath approved = ok(
                as(Tokens.operator()).body(Map.of("note", "lab host")).post("/api/install-plans/" + plan + "/approve"),
                200);
        assertThat(approved.getString("decided_by")).isEqualTo("olga-operator");
        assertThat(ok(as(Tokens.operator()).body(Map.of()).post("/api/install-plans/" + plan + "/execute"), 400)
                        .getString("errors[0].field"))
                .isEqualTo("confirm_execute");
        int callsBefore = OnboardingHosts.calls().size();
        ok(
                as(Tokens.operator())
                        .body(Map.of("confirm_execute", true))
                        .post("/api/install-plans/" + plan + "/execute"),
                202);
        JsonPath installed = await(
                BASE + "/" + id,
                r -> !r.getString("state").equals("installing")
                        && !r.getString("state").equals("install_plan_pending"),
                "the install");
        assertThat(installed.getString("state")).as(installed.prettify()).isEqualTo("installed_but_auth_required");
        List<String> calls = OnboardingHosts.calls();
        assertThat(calls.subList(callsBefore, calls.size()))
                .containsExactly(
                        "sudo -n apt update",
                        "apt update",
                        "sudo -n apt install -y nodejs npm bubblewrap",
                        "apt install -y nodejs npm bubblewrap",
                        "sudo -n npm install -g @openai/codex",
                        "npm install -g @openai/codex",
                        "codex --version",
                        "bwrap --version",
                        // the readiness check after the plan
                        "codex --version",
                        "npm --version",
                        "bwrap --version");
        JsonPath done = ok(as(Tokens.viewer()).get("/api/install-plans/" + plan), 200);
        assertThat(done.getString("state")).isEqualTo("succeeded");
        assertThat(done.getList("step_results.exit_code", Integer.class)).containsExactly(0, 0, 0, 0, 0);
        assertThat(done.getString("step_results[2].output")).contains("added 1 package");
        assertThat(done.getString("summary")).contains("5 steps succeeded");

        // the registry heard: trusted key and codex status
        awaitRegistry(
                "/api/ssh-targets/" + targetId,
                t -> presented.equals(t.getString("trusted_host_key.fingerprint_sha256"))
                        && "installed_but_auth_required".equals(t.getString("codex_status")),
                "trust and readiness");

        // auth: import (admin), lease (one holder at a time), provision (confirmed) → ready
        String canary = "CANARY-" + UUID.randomUUID();
        Map<String, Object> material =
                Map.of("OPENAI_API_KEY", canary, "tokens", Map.of("refresh_token", canary + "-refresh"));
        ok(
                as(Tokens.operator())
                        .body(Map.of("name", "team-" + name.substring(12).toLowerCase(), "auth_json", material))
                        .post("/api/codex-auth/slots"),
                403);
        JsonPath slot = ok(
                as(Tokens.admin())
                        .body(Map.of("name", "team-" + name.substring(12).toLowerCase(), "auth_json", material))
                        .post("/api/codex-auth/slots"),
                201);
        String slotId = slot.getString("id");
        assertThat(slot.getString("secret_reference")).isEqualTo("codex-auth/" + slotId);
        JsonPath other = ok(
                as(Tokens.admin())
                        .body(Map.of(
                                "name",
                                "spare-" + name.substring(12).toLowerCase(),
                                "auth_json",
                                Map.of("OPENAI_API_KEY", canary + "-spare")))
                        .post("/api/codex-auth/slots"),
                201);
        ok(
                as(Tokens.operator())
                        .body(Map.of("target_id", targetId))
                        .post("/api/codex-auth/slots/" + slotId + "/lease"),
                200);
        ok(
                as(Tokens.operator())
                        .body(Map.of("target_id", targetId))
                        .post("/api/codex-auth/slots/" + slotId + "/lease"),
                409);
        ok(
                as(Tokens.operator())
                        .body(Map.of("target_id", targetId))
                        .post("/api/codex-auth/slots/" + other.getString("id") + "/lease"),
                409);
        assertThat(ok(as(Tokens.operator()).body(Map.of()).post("/api/codex-auth/slots/" + slotId + "/provision"), 400)
                        .getString("errors[0].field"))
                .isEqualTo("confirm_provision");
        // a host that cannot take the file: the run goes back to waiting for auth, saying why
        OnboardingHosts.userFile(".codex", "not a directory", "rw-r--r--");
        JsonPath blocked = ok(
                as(Tokens.operator())
                        .body(Map.of("confirm_provision", true))
                        .post("/api/codex-auth/slots/" + slotId + "/provision"),
                409);
        assertThat(blocked.getString("detail")).contains("auth.json failed");
        JsonPath back = ok(as(Tokens.viewer()).get(BASE + "/" + id), 200);
        assertThat(back.getString("state")).isEqualTo("installed_but_auth_required");
        assertThat(back.getString("failure")).contains("provisioning failed");
        Files.delete(OnboardingHosts.home().resolve(".codex"));
        JsonPath provisioned = ok(
                as(Tokens.operator())
                        .body(Map.of("confirm_provision", true))
                        .post("/api/codex-auth/slots/" + slotId + "/provision"),
                200);
        assertThat(provisioned.getString("provisioned_at")).isNotNull();
        JsonPath ready = ok(as(Tokens.viewer()).get(BASE + "/" + id), 200);
        assertThat(ready.getString("state")).isEqualTo("ready");
        assertThat(ready.getList("steps.step", String.class))
                .containsSubsequence(
                        "intake",
                        "target_registered",
                        "host_key_discovered",
                        "host_key_trusted",
                        "probe",
                        "readiness",
                        "plan_proposed",
                        "plan_approved",
                        "plan_executing",
                        "plan_succeeded",
                        "auth_provisioning",
                        "auth_provisioning",
                        "auth_provisioning",
                        "auth_provisioned");
        Path authFile = OnboardingHosts.home().resolve(".codex/auth.json");
        assertThat(Files.getPosixFilePermissions(authFile)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(Files.readString(authFile)).contains(canary);
        assertThat(Files.getPosixFilePermissions(authFile.getParent()))
                .isEqualTo(PosixFilePermissions.fromString("rwx------"));
        awaitRegistry("/api/ssh-targets/" + targetId, t -> "ready".equals(t.getString("codex_status")), "codex ready");

        // the ready lab target takes the Cockpit host workflow (proposed, approved, confirmed, audited)
        HostWorkflowTest.cockpitOn(targetId);

        // Codex refreshed its tokens on the host: collect brings the new material back as a new version
        OnboardingHosts.userFile(".codex/auth.json", "{\"OPENAI_API_KEY\":\"" + canary + "-rotated\"}", "rw-------");
        JsonPath collected = ok(as(Tokens.operator()).post("/api/codex-auth/slots/" + slotId + "/collect"), 200);
        assertThat(collected.getBoolean("changed")).isTrue();
        assertThat(collected.getInt("slot.secret_version")).isEqualTo(2);
        assertThat(ok(as(Tokens.operator()).post("/api/codex-auth/slots/" + slotId + "/collect"), 200)
                        .getBoolean("changed"))
                .isFalse();
        ok(as(Tokens.operator()).post("/api/codex-auth/slots/" + slotId + "/release"), 200);
        ok(as(Tokens.operator()).post("/api/codex-auth/slots/" + slotId + "/release"), 409);

        JsonPath finalRun = ok(as(Tokens.viewer()).get(BASE + "/" + id), 200);
        System.out.printf(
                "FIGURE onboarding intake->readiness_checked %d ms; intake->ready %d ms; SSH connections in the run %d%n",
                (readinessAt - started) / 1_000_000,
                (System.nanoTime() - started) / 1_000_000,
                finalRun.getInt("ssh_connections"));
        // the run counts its own connections: two host-key reads (the test advanced twice), the check at trust,
        // probe+readiness (one login), the install (one login), the refused provisioning and the one that worked
        assertThat(finalRun.getInt("ssh_connections")).isEqualTo(7);

        // audit records get each event's risk: observations benign, lab changes elevated, secrets destructive
        assertThat(io.devopsconsole.testkit.Sql.rows(
                        "SELECT ce_type, extensions FROM onboarding.outbox_event" + " WHERE message_key IN (?, ?, ?)",
                        targetId,
                        id,
                        slotId))
                .extracting(r -> r.get("ce_type") + " " + r.get("extensions"))
                .anyMatch(r -> r.startsWith("io.devopsconsole.onboarding.host_key.trust_confirmed.v1")
                        && r.contains("elevated"))
                .anyMatch(r -> r.startsWith("io.devopsconsole.onboarding.codex_auth_slot.changed.v1")
                        && r.contains("destructive"))
                .anyMatch(
                        r -> r.startsWith("io.devopsconsole.onboarding.readiness.observed.v1") && r.contains("benign"));

        // the canary is nowhere but the secret store (encrypted) and the provisioned file
        CanaryScan.assertNowhere(canary, name, RESPONSES);
    }

    @Test
    void aHostKeyThatChangedAfterTrustStopsTheRunAndTheTarget() throws Exception {
        RegistryProcess.url();
        int port = OnboardingHosts.otherHost().port();
        String name = "rebuilt-" + UUID.randomUUID().toString().substring(0, 6);
        String id = trustedRun(name, port);
        String trustedFingerprint =
                ok(as(Tokens.viewer()).get(BASE + "/" + id), 200).getString("trusted_host_key.fingerprint_sha256");
        String targetId = ok(as(Tokens.viewer()).get(BASE + "/" + id), 200).getString("target_id");

        OnboardingHosts.otherHost().replaceHostKey();
        String now = fingerprint(OnboardingHosts.otherHost().hostKeyLine());
        assertThat(now).isNotEqualTo(trustedFingerprint);

        JsonPath stopped = ok(as(Tokens.operator()).post(BASE + "/" + id + "/advance"), 200);
        assertThat(stopped.getString("state")).isEqualTo("failed");
        assertThat(stopped.getString("failure")).contains(now).contains(trustedFingerprint);
        assertThat(stopped.getList("steps.step", String.class)).endsWith("host_key_changed");
        assertThat(stopped.getString("probe")).isNull();
        // nothing was run on the impostor: no login happened
        JsonPath key = ok(as(Tokens.viewer()).get(BASE + "/" + id + "/host-key"), 200);
        assertThat(key.getBoolean("matches_trusted")).isFalse();
        ok(as(Tokens.operator()).post(BASE + "/" + id + "/advance"), 409);

        // every other operation on that target stops too
        JsonPath slot = ok(
                as(Tokens.admin())
                        .body(Map.of("name", "guard-" + name.substring(8), "auth_json", Map.of("k", "v")))
                        .post("/api/codex-auth/slots"),
                201);
        JsonPath refused = ok(
                as(Tokens.operator())
                        .body(Map.of("target_id", targetId))
                        .post("/api/codex-auth/slots/" + slot.getString("id") + "/lease"),
                409);
        assertThat(refused.getString("detail")).contains("host key of this target changed");

        // the operator re-onboards the registered target: the new key is shown, and trusting it lifts the stop
        ok(
                as(Tokens.operator())
                        .body(Map.of("target_id", targetId, "host", "10.1.1.1"))
                        .post(BASE),
                400);
        JsonPath again =
                ok(as(Tokens.operator()).body(Map.of("target_id", targetId)).post(BASE), 201);
        assertThat(again.getString("intake.fields.host.source")).isEqualTo("registry");
        JsonPath shown = ok(as(Tokens.operator()).post(BASE + "/" + again.getString("id") + "/advance"), 200);
        assertThat(shown.getString("state")).isEqualTo("host_key_pending");
        assertThat(shown.getList("steps.step", String.class)).doesNotContain("target_registered");
        assertThat(shown.getString("presented_host_key.fingerprint_sha256")).isEqualTo(now);
        ok(
                as(Tokens.operator())
                        .body(Map.of("confirm_trust", true, "fingerprint_sha256", now))
                        .post(BASE + "/" + again.getString("id") + "/host-key/trust"),
                200);
        awaitRegistry(
                "/api/ssh-targets/" + targetId,
                t -> now.equals(t.getString("trusted_host_key.fingerprint_sha256")),
                "the new trust");
        ok(
                as(Tokens.operator())
                        .body(Map.of("target_id", targetId))
                        .post("/api/codex-auth/slots/" + slot.getString("id") + "/lease"),
                200);
        ok(as(Tokens.operator()).post("/api/codex-auth/slots/" + slot.getString("id") + "/release"), 200);
    }
}
