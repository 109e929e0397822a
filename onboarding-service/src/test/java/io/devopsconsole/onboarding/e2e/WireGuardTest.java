package io.devopsconsole.onboarding.e2e;

import static io.devopsconsole.onboarding.e2e.OnboardingJourneyTest.as;
import static io.devopsconsole.onboarding.e2e.OnboardingJourneyTest.awaitRegistry;
import static io.devopsconsole.onboarding.e2e.OnboardingJourneyTest.ok;
import static org.assertj.core.api.Assertions.assertThat;

import io.devopsconsole.onboarding.OnboardingHosts;
import io.devopsconsole.onboarding.RegistryProcess;
import io.devopsconsole.testkit.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * WireGuard operations on a registered profile, run on a gateway target (real OpenSSH, the
 * unprivileged test user): the profile check reads the real file's mode and sections; the
 * package manager, {@code wg} and {@code wg-quick} are recording shims whose argv sequence is
 * asserted. The registry receives the profile's operational state.
 */
@QuarkusTest
class WireGuardTest {

    static final String IFACE = "wg-test0";

    @Test
    void checkInstallActivateStatusDeactivateAndRollBack() throws Exception {
        OnboardingHosts.resetShims();
        String registry = RegistryProcess.url();
        String suffix = UUID.randomUUID().toString().substring(0, 6);
        String runId = OnboardingJourneyTest.trustedRun(
                "gw-" + suffix, OnboardingHosts.host().port());
        String gateway = ok(as(Tokens.viewer()).get(OnboardingJourneyTest.BASE + "/" + runId), 200)
                .getString("target_id");
        awaitRegistry(
                "/api/ssh-targets/" + gateway,
                t -> t.getString("trusted_host_key.fingerprint_sha256") != null,
                "trust");
        String config = OnboardingHosts.home() + "/wg/" + IFACE + ".conf";
        String tunnel = as(Tokens.operator())
                .body(Map.of(
                        "name",
                        "wg-" + suffix,
                        "kind",
                        "wireguard",
                        "interface_name",
                        IFACE,
                        "config_path",
                        config,
                        "enabled",
                        true))
                .post(registry + "/api/tunnels")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
        String base = "/api/tunnels/" + tunnel + "/wireguard";
        Map<String, Object> on = Map.of("gateway_target_id", gateway);

        // the profile check: nothing there yet (waits until the registry's events reached onboarding)
        JsonPath missing = until(() -> as(Tokens.operator()).body(on).post(base + "/check"));
        assertThat(missing.getString("outcome")).isEqualTo("problems");
        assertThat(missing.getList("facts.problems", String.class))
                .anyMatch(p -> p.contains("does not exist"))
                .anyMatch(p -> p.contains("not installed"));

        String privateKey = "CANARY-WG-" + UUID.randomUUID();
        OnboardingHosts.userFile(
                "wg/" + IFACE + ".conf",
                "[Interface]\nPrivateKey = " + privateKey
                        + "\nAddress = 10.99.0.2/32\n\n[Peer]\nPublicKey = xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=\n"
                        + "Endpoint = 203.0.113.7:51820\nAllowedIPs = 10.99.0.0/24\n",
                "rw-r--r--");
        JsonPath loose = ok(as(Tokens.operator()).body(on).post(base + "/check"), 200);
        assertThat(loose.getList("facts.problems", String.class)).anyMatch(p -> p.contains("mode 644"));
        assertThat(loose.getInt("facts.interface_sections")).isEqualTo(1);
        assertThat(loose.getInt("facts.peer_sections")).isEqualTo(1);
        OnboardingHosts.userFile(
                "wg/" + IFACE + ".conf",
                "[Interface]\nPrivateKey = " + privateKey
                        + "\nAddress = 10.99.0.2/32\n\n[Peer]\nPublicKey = xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=\n"
                        + "Endpoint = 203.0.113.7:51820\nAllowedIPs = 10.99.0.0/24\n",
                "rw-------");

        // tooling: missing, then the controlled install (only when confirmed)
        assertThat(ok(as(Tokens.operator()).body(on).post(base + "/tooling"), 200)
                        .getString("outcome"))
                .isEqualTo("missing");
        assertThat(ok(as(Tokens.operator()).body(on).post(base + "/tooling/install"), 400)
                        .getString("errors[0].field"))
                .isEqualTo("confirm_execute");
        ok(
                as(Tokens.viewer())
                        .body(Map.of("gateway_target_id", gateway, "confirm_execute", true))
                        .post(base + "/tooling/install"),
                403);
        int before = OnboardingHosts.calls().size();
        JsonPath installed = ok(
                as(Tokens.operator())
                        .body(Map.of("gateway_target_id", gateway, "confirm_execute", true))
                        .post(base + "/tooling/install"),
                200);
        assertThat(installed.getString("outcome")).isEqualTo("succeeded");
        assertThat(since(before))
                .containsExactly(
                        "sudo -n apt update",
                        "apt update",
                        "sudo -n apt install -y wireguard wireguard-tools",
                        "apt install -y wireguard wireguard-tools");
        JsonPath good = ok(as(Tokens.operator()).body(on).post(base + "/check"), 200);
        assertThat(good.getString("outcome")).as(good.prettify()).isEqualTo("ok");

        // activate: up, a handshake and bytes seen, the registry hears "up"
        before = OnboardingHosts.calls().size();
        JsonPath up = ok(as(Tokens.operator()).body(on).post(base + "/activate"), 200);
        assertThat(up.getString("outcome")).as(up.prettify()).isEqualTo("succeeded");
        assertThat(up.getString("operational_state")).isEqualTo("up");
        assertThat(up.getBoolean("usable_for_remote_execution")).isTrue();
        assertThat(up.getString("facts.peers[0].endpoint")).isEqualTo("203.0.113.7:51820");
        assertThat(since(before))
                .containsExactly(
                        "sudo -n wg show " + IFACE + " peers",
                        "wg show " + IFACE + " peers",
                        "sudo -n wg-quick up " + IFACE,
                        "wg-quick up " + IFACE,
                        "sudo -n wg show " + IFACE + " latest-handshakes",
                        "wg show " + IFACE + " latest-handshakes",
                        "sudo -n wg show " + IFACE + " transfer",
                        "wg show " + IFACE + " transfer",
                        "sudo -n wg show " + IFACE + " endpoints",
                        "wg show " + IFACE + " endpoints");
        awaitRegistry(
                "/api/tunnels/" + tunnel,
                t -> "up".equals(t.getString("operational_state")) && t.getBoolean("usable_for_remote_execution"),
                "tunnel up");
        // a fresh reading is a POST (operators); a viewer's GET reads the stored observation and runs nothing
        before = OnboardingHosts.calls().size();
        ok(as(Tokens.viewer()).body(on).post(base + "/status"), 403);
        JsonPath status = ok(as(Tokens.operator()).body(on).post(base + "/status"), 200);
        assertThat(status.getString("outcome")).isEqualTo("up");
        assertThat(status.getLong("facts.peers[0].received_bytes")).isPositive();
        assertThat(since(before)).isNotEmpty();
        before = OnboardingHosts.calls().size();
        long operations = io.devopsconsole.testkit.Sql.count("SELECT count(*) FROM onboarding.tunnel_operation");
        JsonPath stored = ok(as(Tokens.viewer()).get(base + "/status"), 200);
        assertThat(stored.getString("id")).isEqualTo(status.getString("id"));
        assertThat(stored.getString("outcome")).isEqualTo("up");
        assertThat(stored.getLong("facts.peers[0].received_bytes")).isPositive();
        assertThat(since(before)).as("a GET runs nothing on the gateway").isEmpty();
        assertThat(io.devopsconsole.testkit.Sql.count("SELECT count(*) FROM onboarding.tunnel_operation"))
                .as("a GET writes nothing")
                .isEqualTo(operations);
        assertThat(ok(as(Tokens.operator()).body(on).post(base + "/activate"), 200)
                        .getString("outcome"))
                .isEqualTo("already_up");

        // deactivate, and again: already down is a no-op (no wg-quick call)
        assertThat(ok(as(Tokens.operator()).body(on).post(base + "/deactivate"), 200)
                        .getString("outcome"))
                .isEqualTo("succeeded");
        before = OnboardingHosts.calls().size();
        assertThat(ok(as(Tokens.operator()).body(on).post(base + "/deactivate"), 200)
                        .getString("outcome"))
                .isEqualTo("already_down");
        assertThat(since(before)).containsExactly("sudo -n wg show " + IFACE + " peers", "wg show " + IFACE + " peers");
        awaitRegistry("/api/tunnels/" + tunnel, t -> "down".equals(t.getString("operational_state")), "tunnel down");

        // a peer that never answers: the interface is taken down again
        OnboardingHosts.userFile("wg-silent-peer", "", "rw-r--r--");
        before = OnboardingHosts.calls().size();
        JsonPath silent = ok(as(Tokens.operator()).body(on).post(base + "/activate"), 200);
        assertThat(silent.getString("outcome")).isEqualTo("rolled_back");
        assertThat(silent.getString("operational_state")).isEqualTo("down");
        List<String> calls = since(before);
        assertThat(calls)
                .contains("wg-quick up " + IFACE)
                .endsWith("sudo -n wg-quick down " + IFACE, "wg-quick down " + IFACE);
        assertThat(ok(as(Tokens.viewer()).get(base + "/status"), 200).getString("outcome"))
                .isEqualTo("rolled_back");
        assertThat(ok(as(Tokens.operator()).body(on).post(base + "/status"), 200)
                        .getString("outcome"))
                .isEqualTo("down");

        // the private key never left the file
        assertThat(CanaryScan.locations(privateKey, OnboardingJourneyTest.RESPONSES))
                .isEmpty();
        java.nio.file.Files.deleteIfExists(OnboardingHosts.home().resolve("wg-silent-peer"));
    }

    private static List<String> since(int before) throws Exception {
        List<String> all = OnboardingHosts.calls();
        return all.subList(before, all.size());
    }

    private static JsonPath until(java.util.function.Supplier<Response> call) throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        Response r;
        do {
            r = call.get();
            if (r.statusCode() == 200) {
                return ok(r, 200);
            }
            Thread.sleep(200);
        } while (System.nanoTime() < deadline);
        return ok(r, 200);
    }
}
