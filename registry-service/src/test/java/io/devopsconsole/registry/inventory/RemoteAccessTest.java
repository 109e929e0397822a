package io.devopsconsole.registry.inventory;

import static io.devopsconsole.registry.inventory.Api.*;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import io.devopsconsole.testkit.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Reachability is a real TCP connect, cached for a short window (1 s in tests). */
@QuarkusTest
class RemoteAccessTest {

    static ValidatableResponse view(String id) {
        return given().auth()
                .oauth2(Tokens.viewer())
                .get("/api/remote-access/targets/" + id)
                .then()
                .statusCode(200);
    }

    static String status(String id) {
        return view(id).extract().path("reachability.status");
    }

    @Test
    void aListeningPortIsReachableAndAClosedOneIsNotWithinTheCacheWindow() throws IOException {
        String id;
        try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            id = register(
                            operator(),
                            target(unique("loop"), "127.0.0.1", "port", listener.getLocalPort(), "access_path", "lan"))
                    .statusCode(201)
                    .extract()
                    .path("id");
            view(id).body("expected_access_path", equalTo("lan"))
                    .body("access_path_status", equalTo("available"))
                    .body("reachability.status", equalTo("reachable"))
                    .body("ready_for_execution", equalTo(true))
                    .body("host_key_trusted", equalTo(false));
        }
        await().atMost(Duration.ofSeconds(5))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> "unreachable".equals(status(id)));
        view(id).body("ready_for_execution", equalTo(false))
                .body("reasons", hasItem(containsString("connection refused")));
        given().auth()
                .oauth2(Tokens.viewer())
                .queryParam("name_prefix", "loop")
                .get("/api/remote-access/targets")
                .then()
                .statusCode(200)
                .body("items.target_id", hasItem(id));
    }

    @Test
    void aTargetBehindADownTunnelReportsAccessPathUnavailableNotHostOffline() throws IOException {
        String iface = "wg" + unique("d").substring(2, 10);
        String tunnel = createTunnel(iface);
        try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            String id = register(
                            operator(),
                            target(
                                    unique("behind"),
                                    "127.0.0.1",
                                    "port",
                                    listener.getLocalPort(),
                                    "access_path",
                                    "tunnel",
                                    "tunnel_profile_id",
                                    tunnel))
                    .statusCode(201)
                    .extract()
                    .path("id");
            operator()
                    .body(Map.of("operational_state", "down", "usable_for_remote_execution", false))
                    .post("/api/tunnels/" + tunnel + "/state")
                    .then()
                    .statusCode(200);
            view(id).body("expected_access_path", equalTo("tunnel"))
                    .body("access_path_status", equalTo("unavailable"))
                    .body("reachability.status", equalTo("not_checked"))
                    .body("tunnel.operational_state", equalTo("down"))
                    .body("ready_for_execution", equalTo(false))
                    .body("reasons", hasItem(containsString("access path unavailable: tunnel " + iface + " is down")));

            operator()
                    .body(Map.of("operational_state", "up", "usable_for_remote_execution", true))
                    .post("/api/tunnels/" + tunnel + "/state")
                    .then()
                    .statusCode(200);
            view(id).body("access_path_status", equalTo("available"))
                    .body("reachability.status", equalTo("reachable"))
                    .body("ready_for_execution", equalTo(true));
        }
    }

    @Test
    void retiredTargetsAreNotReady() {
        String id = registerLab(unique("retired"), "127.0.0.1");
        operator()
                .body(Map.of())
                .post("/api/ssh-targets/" + id + "/retire")
                .then()
                .statusCode(200);
        view(id).body("retired", equalTo(true))
                .body("ready_for_execution", equalTo(false))
                .body("reachability.status", equalTo("not_checked"));
        given().auth()
                .oauth2(Tokens.viewer())
                .get("/api/remote-access/targets/" + java.util.UUID.randomUUID())
                .then()
                .statusCode(404);
    }

    /**
     * A dark host (SYNs dropped: a listener whose accept queue is full) keeps the probe waiting for its
     * whole timeout. Clients that drop their requests mid-probe must not poison the shared check:
     * every later caller gets a 200 with an observation.
     */
    @Test
    void clientsDroppingTheirRequestsMidProbeDoNotBreakTheViewForAnyoneElse() throws Exception {
        try (ServerSocket dark = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            java.util.List<java.net.Socket> fillers = new java.util.ArrayList<>();
            try {
                for (int i = 0; i < 8; i++) { // fill the accept queue; later SYNs get no answer
                    java.net.Socket s = new java.net.Socket();
                    try {
                        s.connect(dark.getLocalSocketAddress(), 200);
                        fillers.add(s);
                    } catch (IOException full) {
                        s.close();
                        break;
                    }
                }
                String id = register(
                                operator(),
                                target(unique("dark"), "127.0.0.1", "port", dark.getLocalPort(), "access_path", "lan"))
                        .statusCode(201)
                        .extract()
                        .path("id");
                String token = Tokens.viewer();
                for (String path : new String[] {"/api/remote-access/targets/" + id, "/api/remote-access/targets"}) {
                    for (int i = 0; i < 3; i++) { // drop the request while the probe is in flight
                        try (java.net.Socket client =
                                new java.net.Socket("localhost", io.restassured.RestAssured.port)) {
                            client.getOutputStream()
                                    .write(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\n"
                                                    + "Authorization: Bearer " + token + "\r\n\r\n")
                                            .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                            client.getOutputStream().flush();
                            Thread.sleep(150);
                        }
                    }
                }
                // a fresh client so the dropped connections are really gone
                for (int i = 0; i < 3; i++) {
                    given().auth()
                            .oauth2(Tokens.viewer())
                            .get("/api/remote-access/targets")
                            .then()
                            .statusCode(200)
                            .body("items.target_id", hasItem(id));
                    view(id).body("reachability.status", org.hamcrest.Matchers.oneOf("reachable", "unreachable"));
                    Thread.sleep(600);
                }
            } finally {
                for (java.net.Socket s : fillers) {
                    s.close();
                }
            }
        }
    }
}
