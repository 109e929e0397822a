package io.devopsconsole.onboarding.e2e;

import static io.devopsconsole.onboarding.e2e.OnboardingJourneyTest.BASE;
import static io.devopsconsole.onboarding.e2e.OnboardingJourneyTest.as;
import static io.devopsconsole.onboarding.e2e.OnboardingJourneyTest.ok;
import static org.assertj.core.api.Assertions.assertThat;

import io.devopsconsole.onboarding.OnboardingHosts;
import io.devopsconsole.onboarding.RegistryProcess;
import io.devopsconsole.testkit.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * {@code scripts/bench onboarding [runs]}: N complete runs against the loopback OpenSSH host
 * (not part of the test suite: surefire's default includes do not match this name). Each run:
 * intake → advance → trust → advance (probe + readiness) → plan → approve → execute (shims) →
 * lease + provision → ready. Prints intake→readiness_checked and intake→ready wall times
 * (p50/p99/min/max) and the SSH connections each run opened.
 */
@QuarkusTest
class OnboardingBench {

    @Test
    void bench() throws Exception {
        int runs = Integer.getInteger("onboarding.bench.runs", 10);
        RegistryProcess.url();
        List<Long> toReadiness = new ArrayList<>();
        List<Long> toReady = new ArrayList<>();
        List<Integer> connections = new ArrayList<>();
        for (int i = 0; i < runs + 2; i++) {
            OnboardingHosts.resetShims();
            String name = "bench-" + UUID.randomUUID().toString().substring(0, 8);
            long t0 = System.nanoTime();
            String id = ok(
                            as(Tokens.operator())
                                    .body(Map.of(
                                            "request",
                                            "onboard 127.0.0.1 port "
                                                    + OnboardingHosts.host().port() + ", call it " + name
                                                    + ", log in as " + OnboardingHosts.USER))
                                    .post(BASE),
                            201)
                    .getString("id");
            String fingerprint = ok(as(Tokens.operator()).post(BASE + "/" + id + "/advance"), 200)
                    .getString("presented_host_key.fingerprint_sha256");
            ok(
                    as(Tokens.operator())
                            .body(Map.of("confirm_trust", true, "fingerprint_sha256", fingerprint))
                            .post(BASE + "/" + id + "/host-key/trust"),
                    200);
            JsonPath checked = ok(as(Tokens.operator()).post(BASE + "/" + id + "/advance"), 200);
            long t1 = System.nanoTime();
            assertThat(checked.getString("state")).isEqualTo("readiness_checked");
            String plan = ok(as(Tokens.operator()).post(BASE + "/" + id + "/advance"), 200)
                    .getString("install_plan_id");
            ok(as(Tokens.operator()).body(Map.of()).post("/api/install-plans/" + plan + "/approve"), 200);
            ok(
                    as(Tokens.operator())
                            .body(Map.of("confirm_execute", true))
                            .post("/api/install-plans/" + plan + "/execute"),
                    202);
            JsonPath waiting = OnboardingJourneyTest.await(
                    BASE + "/" + id,
                    r -> r.getString("state").equals("installed_but_auth_required")
                            || r.getString("state").equals("failed"),
                    "install");
            assertThat(waiting.getString("state")).isEqualTo("installed_but_auth_required");
            String slot = ok(
                            as(Tokens.admin())
                                    .body(Map.of("name", name, "auth_json", Map.of("k", "v")))
                                    .post("/api/codex-auth/slots"),
                            201)
                    .getString("id");
            ok(
                    as(Tokens.operator())
                            .body(Map.of("target_id", waiting.getString("target_id")))
                            .post("/api/codex-auth/slots/" + slot + "/lease"),
                    200);
            ok(
                    as(Tokens.operator())
                            .body(Map.of("confirm_provision", true))
                            .post("/api/codex-auth/slots/" + slot + "/provision"),
                    200);
            JsonPath ready = ok(as(Tokens.viewer()).get(BASE + "/" + id), 200);
            long t2 = System.nanoTime();
            assertThat(ready.getString("state")).isEqualTo("ready");
            ok(as(Tokens.operator()).post("/api/codex-auth/slots/" + slot + "/release"), 200);
            if (i >= 2) { // two warm-up runs
                toReadiness.add((t1 - t0) / 1_000_000);
                toReady.add((t2 - t0) / 1_000_000);
                connections.add(ready.getInt("ssh_connections"));
            }
        }
        System.out.println(
                "onboarding bench: " + runs + " runs against OpenSSH on loopback (unprivileged user, shims)");
        System.out.println("  intake -> readiness_checked ms: " + figures(toReadiness));
        System.out.println("  intake -> ready ms:             " + figures(toReady));
        System.out.println("  SSH connections per run:        "
                + connections.stream().distinct().sorted().toList()
                + " (host-key read, the check at trust, probe+readiness, install, provisioning)");
        Runtime rt = Runtime.getRuntime();
        System.out.printf(
                "  onboarding-service JVM heap used after the runs: %d MiB%n",
                (rt.totalMemory() - rt.freeMemory()) >> 20);
    }

    private static String figures(List<Long> ms) {
        List<Long> sorted = new ArrayList<>(ms);
        Collections.sort(sorted);
        long p50 = sorted.get((int) Math.ceil(sorted.size() * 0.5) - 1);
        long p99 = sorted.get((int) Math.ceil(sorted.size() * 0.99) - 1);
        return "p50 " + p50 + " / p99 " + p99 + " (min " + sorted.get(0) + ", max " + sorted.get(sorted.size() - 1)
                + ")";
    }
}
