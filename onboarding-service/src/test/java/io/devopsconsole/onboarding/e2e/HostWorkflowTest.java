package io.devopsconsole.onboarding.e2e;

import static io.devopsconsole.onboarding.e2e.OnboardingJourneyTest.as;
import static io.devopsconsole.onboarding.e2e.OnboardingJourneyTest.await;
import static io.devopsconsole.onboarding.e2e.OnboardingJourneyTest.ok;
import static org.assertj.core.api.Assertions.assertThat;

import io.devopsconsole.onboarding.OnboardingHosts;
import io.devopsconsole.testkit.Sql;
import io.devopsconsole.testkit.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The Cockpit host workflow over real OpenSSH (the package manager, systemctl and ss are recording
 * shims; the project tree is really created): refused where it must not run, then — on the target
 * the onboarding journey made ready ({@link #cockpitOn}) — proposed with its exact commands,
 * approved once, executed only when confirmed, its steps in order, the URL offered, each move
 * audited; and a failing step stops the sequence.
 */
@QuarkusTest
class HostWorkflowTest {

    static final String BASE = "/api/host-workflows";

    @Test
    void refusedWhereItMustNotRunAndForBadInput() throws Exception {
        OnboardingHosts.resetShims();
        io.devopsconsole.onboarding.RegistryProcess.url(); // the registry (targets come from it) is up
        String suffix = UUID.randomUUID().toString().substring(0, 6);
        String runId = OnboardingJourneyTest.trustedRun(
                "cp-" + suffix, OnboardingHosts.host().port());
        String target = ok(as(Tokens.viewer()).get(OnboardingJourneyTest.BASE + "/" + runId), 200)
                .getString("target_id");

        // a trusted target whose Codex is not ready: 409 naming the target, with the next step (once
        // the registry's record of the trust has reached onboarding's view: until then the refusal
        // is "no trusted host key")
        JsonPath notReady = until409(Map.of("workflow", "cockpit", "target_id", target), "not auth-ready");
        assertThat(notReady.getString("errors[0].field")).isEqualTo("target_id");
        assertThat(notReady.getString("detail")).contains("not auth-ready").contains("onboarding");

        // bad input names its field; nothing is stored
        assertThat(field(Map.of("workflow", "rm -rf /", "target_id", target))).isEqualTo("workflow");
        assertThat(field(Map.of(
                        "workflow", "cockpit", "target_id", UUID.randomUUID().toString())))
                .isEqualTo("target_id");
        assertThat(field(Map.of("workflow", "cockpit", "target_id", target, "directory", "/tmp/x; reboot")))
                .isEqualTo("directory");
        assertThat(field(Map.of("workflow", "cockpit", "target_id", target, "directory", "/etc/cockpit")))
                .isEqualTo("directory");
        assertThat(field(Map.of("workflow", "cockpit", "target_id", target, "directory", "/srv/a\u0000b")))
                .isEqualTo("directory");
        assertThat(field(Map.of("target_id", target))).isEqualTo("workflow");
        ok(
                as(Tokens.viewer())
                        .body(Map.of("workflow", "cockpit", "target_id", target))
                        .post(BASE),
                403);
        assertThat(ok(as(Tokens.viewer()).get(BASE + "?target_id=" + target), 200)
                        .getList("items"))
                .isEmpty();
        ok(as(Tokens.viewer()).get(BASE + "/" + UUID.randomUUID()), 404);
        assertThat(ok(as(Tokens.viewer()).get(BASE + "/kinds"), 200).getList("items[0].steps", String.class))
                .containsExactly(
                        "prepare the project tree",
                        "refresh the package lists",
                        "install Cockpit",
                        "enable cockpit.socket",
                        "verify port 9090 listens");
        // a host workflow is not an install plan, and an install plan id is not a workflow
        assertThat(Sql.rows(
                        "SELECT id FROM onboarding.install_plan WHERE workflow <> 'codex_install'"
                                + " AND target_id = ?::uuid",
                        target))
                .isEmpty();
    }

    /** Runs on the journey's ready target (lab, key trusted, Codex ready). */
    static void cockpitOn(String target) throws Exception {
        String user = OnboardingHosts.USER;
        Path tree = OnboardingHosts.home()
                .resolve("projects/cockpit-" + UUID.randomUUID().toString().substring(0, 6));
        JsonPath proposed =
                proposeWhenReady(Map.of("workflow", "cockpit", "target_id", target, "directory", tree.toString()));
        String id = proposed.getString("id");
        assertThat(proposed.getString("state")).isEqualTo("proposed");
        assertThat(proposed.getList("steps.command", String.class))
                .containsExactly(
                        "sudo -n install -d -m 0755 -o \"$(id -un)\" '" + tree + "'",
                        "sudo -n apt update",
                        "sudo -n apt install -y cockpit",
                        "sudo -n systemctl enable --now cockpit.socket",
                        "ss -Hltn 'sport = :9090' | grep -q LISTEN || { echo 'nothing listens on port 9090' >&2; exit 1; }");
        assertThat(proposed.getList("steps.state", String.class)).containsOnly("pending");
        assertThat(Files.exists(tree)).isFalse();

        // only an approved workflow runs, and only when confirmed; one approval counts
        assertThat(ok(
                                as(Tokens.operator())
                                        .body(Map.of("confirm_execute", true))
                                        .post(BASE + "/" + id + "/execute"),
                                409)
                        .getString("errors[0].field"))
                .isEqualTo("state");
        ok(as(Tokens.viewer()).body(Map.of()).post(BASE + "/" + id + "/approve"), 403);
        ok(as(Tokens.operator()).body(Map.of("note", "lab box for the team")).post(BASE + "/" + id + "/approve"), 200);
        ok(as(Tokens.approver()).body(Map.of()).post(BASE + "/" + id + "/approve"), 409);
        assertThat(ok(as(Tokens.operator()).body(Map.of()).post(BASE + "/" + id + "/execute"), 400)
                        .getString("errors[0].field"))
                .isEqualTo("confirm_execute");
        ok(as(Tokens.viewer()).body(Map.of("confirm_execute", true)).post(BASE + "/" + id + "/execute"), 403);
        int before = OnboardingHosts.calls().size();
        JsonPath started =
                ok(as(Tokens.operator()).body(Map.of("confirm_execute", true)).post(BASE + "/" + id + "/execute"), 202);
        assertThat(started.getString("state")).isIn("executing", "succeeded");
        ok(as(Tokens.operator()).body(Map.of("confirm_execute", true)).post(BASE + "/" + id + "/execute"), 409);
        JsonPath done = await(BASE + "/" + id, w -> !"executing".equals(w.getString("state")), "cockpit setup");
        assertThat(done.getString("state")).as(done.prettify()).isEqualTo("succeeded");
        assertThat(done.getString("result_url")).isEqualTo("https://127.0.0.1:9090/");
        assertThat(done.getList("steps.state", String.class)).containsOnly("ok");
        assertThat(done.getString("steps[2].output")).contains("Setting up cockpit");
        assertThat(done.getString("executed_by")).isNotBlank();
        assertThat(Files.isDirectory(tree)).isTrue();
        assertThat(Files.getOwner(tree).getName()).isEqualTo(user);
        List<String> calls = OnboardingHosts.calls();
        assertThat(calls.subList(before, calls.size()))
                .containsExactly(
                        "sudo -n install -d -m 0755 -o " + user + " " + tree,
                        "sudo -n apt update",
                        "apt update",
                        "sudo -n apt install -y cockpit",
                        "apt install -y cockpit",
                        "sudo -n systemctl enable --now cockpit.socket",
                        "systemctl enable --now cockpit.socket",
                        "ss -Hltn sport = :9090");
        assertThat(ok(as(Tokens.viewer()).get(BASE + "?target_id=" + target + "&state=succeeded"), 200)
                        .getList("items.id", String.class))
                .contains(id);
        // every move is announced for the audit trail, in order, with the URL at the end
        assertThat(Sql.rows(
                                "SELECT convert_from(data, 'UTF8')::jsonb->>'state' AS state FROM onboarding.outbox_event"
                                        + " WHERE ce_type = ? AND message_key = ? ORDER BY seq",
                                "io.devopsconsole.onboarding.host_workflow.changed.v1",
                                id)
                        .stream()
                        .map(r -> String.valueOf(r.get("state")))
                        .toList())
                .containsExactly(
                        "proposed", "approved", "executing", "step", "step", "step", "step", "step", "succeeded");

        // one thing at a time on a target: while one workflow runs (apt made slow), starting another is 409
        OnboardingHosts.slow("apt");
        String running = proposeWhenReady(
                        Map.of("workflow", "cockpit", "target_id", target, "directory", tree.toString()))
                .getString("id");
        String waiting = proposeWhenReady(
                        Map.of("workflow", "cockpit", "target_id", target, "directory", tree.toString()))
                .getString("id");
        ok(as(Tokens.operator()).body(Map.of()).post(BASE + "/" + running + "/approve"), 200);
        ok(as(Tokens.operator()).body(Map.of()).post(BASE + "/" + waiting + "/approve"), 200);
        ok(as(Tokens.operator()).body(Map.of("confirm_execute", true)).post(BASE + "/" + running + "/execute"), 202);
        assertThat(ok(
                                as(Tokens.operator())
                                        .body(Map.of("confirm_execute", true))
                                        .post(BASE + "/" + waiting + "/execute"),
                                409)
                        .getString("errors[0].field"))
                .isEqualTo("target_id");
        assertThat(await(BASE + "/" + running, w -> !"executing".equals(w.getString("state")), "slow setup")
                        .getString("state"))
                .isEqualTo("succeeded");
        ok(as(Tokens.operator()).body(Map.of("confirm_execute", true)).post(BASE + "/" + waiting + "/execute"), 202);
        await(
                BASE + "/" + waiting,
                w -> "succeeded".equals(w.getString("state")),
                "the second, once the target is free");
        Files.delete(OnboardingHosts.home().resolve("slow/apt"));

        // a failing step stops the sequence: later steps never run, the workflow fails saying which
        OnboardingHosts.failing("apt");
        String second = proposeWhenReady(
                        Map.of("workflow", "cockpit", "target_id", target, "directory", tree.toString()))
                .getString("id");
        ok(as(Tokens.operator()).body(Map.of()).post(BASE + "/" + second + "/approve"), 200);
        ok(as(Tokens.operator()).body(Map.of("confirm_execute", true)).post(BASE + "/" + second + "/execute"), 202);
        JsonPath failed = await(BASE + "/" + second, w -> !"executing".equals(w.getString("state")), "failing setup");
        assertThat(failed.getString("state")).isEqualTo("failed");
        assertThat(failed.getString("summary")).contains("step 2 (refresh the package lists) exited 100");
        assertThat(failed.getList("steps.state", String.class))
                .containsExactly("ok", "failed", "skipped", "skipped", "skipped");
        assertThat(failed.getInt("steps[1].exit_code")).isEqualTo(100);
        assertThat(failed.getString("steps[1].output")).contains("failing as asked");
        assertThat(failed.getString("result_url")).isNull();

        // the default project tree; made through the coordinator (its events say which conversation); a
        // proposal can be rejected (then it never runs)
        UUID conversation = UUID.randomUUID();
        JsonPath third = ok(
                as(Tokens.operator())
                        .header("X-Devops-Via", "coordinator:" + conversation)
                        .body(Map.of("workflow", "cockpit", "target_id", target))
                        .post(BASE),
                201);
        assertThat(third.getString("directory")).isEqualTo("/opt/cockpit");
        assertThat(Sql.rows(
                        "SELECT extensions FROM onboarding.outbox_event WHERE message_key = ?", third.getString("id")))
                .singleElement()
                .extracting(r -> String.valueOf(r.get("extensions")))
                .asString()
                .contains("\"via\":\"coordinator:" + conversation + "\"");
        // a malformed label is not kept
        JsonPath fourth = ok(
                as(Tokens.operator())
                        .header("X-Devops-Via", "coordinator:" + conversation + "; admin")
                        .body(Map.of("workflow", "cockpit", "target_id", target))
                        .post(BASE),
                201);
        assertThat(Sql.rows(
                        "SELECT extensions FROM onboarding.outbox_event WHERE message_key = ?", fourth.getString("id")))
                .singleElement()
                .extracting(r -> String.valueOf(r.get("extensions")))
                .asString()
                .doesNotContain("via");
        ok(
                as(Tokens.operator())
                        .body(Map.of("note", "not now"))
                        .post(BASE + "/" + third.getString("id") + "/reject"),
                200);
        ok(as(Tokens.operator()).body(Map.of()).post(BASE + "/" + third.getString("id") + "/approve"), 409);
        Files.delete(OnboardingHosts.home().resolve("fail/apt"));
    }

    private static JsonPath proposeWhenReady(Map<String, Object> body) throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        Response r;
        do {
            r = as(Tokens.operator()).body(body).post(BASE);
            if (r.statusCode() == 201) {
                return ok(r, 201);
            }
            Thread.sleep(200);
        } while (System.nanoTime() < deadline);
        return ok(r, 201);
    }

    /** Proposes until the answer is a 409 whose detail says {@code reason}; the last answer otherwise. */
    private static JsonPath until409(Map<String, Object> body, String reason) throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        Response r;
        do {
            r = as(Tokens.operator()).body(body).post(BASE);
            if (r.statusCode() == 409 && r.jsonPath().getString("detail").contains(reason)) {
                return ok(r, 409);
            }
            Thread.sleep(200);
        } while (System.nanoTime() < deadline);
        return ok(r, 409);
    }

    private static String field(Map<String, Object> body) {
        return ok(as(Tokens.operator()).body(body).post(BASE), 400).getString("errors[0].field");
    }
}
