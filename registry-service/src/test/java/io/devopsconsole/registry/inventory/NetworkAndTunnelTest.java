package io.devopsconsole.registry.inventory;

import static io.devopsconsole.registry.inventory.Api.*;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.nullValue;

import io.devopsconsole.testkit.Sql;
import io.devopsconsole.testkit.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

@QuarkusTest
class NetworkAndTunnelTest {

    static io.restassured.response.ValidatableResponse resolve(String host) {
        return given().auth()
                .oauth2(Tokens.viewer())
                .queryParam("host", host)
                .get("/api/network-rules/resolve")
                .then();
    }

    @Test
    void theSeedRulesResolveAsShipped() {
        resolve("10.76.22.150")
                .statusCode(200)
                .body("site_name", equalTo("Dubai DC"))
                .body("access_path", equalTo("lan"))
                .body("tunnel_profile_id", nullValue())
                .body("matched_cidr", equalTo("10.76.20.0/22"));
        resolve("10.26.200.1")
                .statusCode(200)
                .body("site_name", equalTo("12Alder lab"))
                .body("access_path", equalTo("tunnel"))
                .body("tunnel_profile_name", equalTo("wg-12alder"))
                .body("matched_cidr", equalTo("10.26.0.0/16"));
        resolve("172.16.0.1")
                .statusCode(200)
                .body("matched_rule_id", nullValue())
                .body("access_path", equalTo("lan"))
                .body("reason", containsString("no network rule"));
        resolve("build-host.example.com")
                .statusCode(200)
                .body("matched_rule_id", nullValue())
                .body("reason", containsString("DNS name"));
    }

    @Test
    void theMostSpecificRuleWinsAndRulesAreEditableData() {
        String site = createSite(unique("Rack 7"));
        String rule = operator()
                .body(Map.of("cidr", "10.26.77.9/24", "site_id", site, "access_path", "lan"))
                .post("/api/network-rules")
                .then()
                .statusCode(201)
                .body("cidr", equalTo("10.26.77.0/24"))
                .body("prefix_length", equalTo(24))
                .extract()
                .path("id");
        resolve("10.26.77.20")
                .body("site_id", equalTo(site))
                .body("access_path", equalTo("lan"))
                .body("matched_cidr", equalTo("10.26.77.0/24"));
        resolve("10.26.78.20").body("matched_cidr", equalTo("10.26.0.0/16"));

        operator()
                .body(Map.of("cidr", "10.26.77.0/24", "access_path", "lan"))
                .post("/api/network-rules")
                .then()
                .statusCode(409)
                .body("errors.field", contains("cidr"));
        operator()
                .body(Map.of("cidr", "10.26.77.0/24", "access_path", "tunnel", "version", 0))
                .put("/api/network-rules/" + rule)
                .then()
                .statusCode(400)
                .body("errors.field", contains("tunnel_profile_id"));
        approver()
                .body(Map.of("confirm", true))
                .delete("/api/network-rules/" + rule)
                .then()
                .statusCode(204);
        resolve("10.26.77.20").body("matched_cidr", equalTo("10.26.0.0/16"));

        await().atMost(Duration.ofSeconds(20)).until(() -> eventTypes(rule).size() >= 2);
        assertThat(eventTypes(rule)).containsExactly("network_rule.created", "network_rule.deleted");
    }

    @Test
    void badRulesAndHostsAreRefusedNamingTheField() {
        for (String cidr : new String[] {"10.0.0.0", "10.0.0.0/33", "10.0.0.999/8", "fd00::/129", "host/8", ""}) {
            operator()
                    .body(Map.of("cidr", cidr, "access_path", "lan"))
                    .post("/api/network-rules")
                    .then()
                    .statusCode(400)
                    .contentType("application/problem+json")
                    .body("errors.field", contains("cidr"));
        }
        operator()
                .body(Map.of("cidr", "10.9.0.0/16", "access_path", "satellite"))
                .post("/api/network-rules")
                .then()
                .statusCode(400)
                .body("errors.field", contains("access_path"));
        operator()
                .body(Map.of(
                        "cidr",
                        "10.9.0.0/16",
                        "access_path",
                        "lan",
                        "site_id",
                        java.util.UUID.randomUUID().toString()))
                .post("/api/network-rules")
                .then()
                .statusCode(400)
                .body("errors.field", contains("site_id"));
        resolve("10.0.0.999").statusCode(400).body("errors.field", contains("host"));
        resolve("host;rm -rf /").statusCode(400).body("errors.field", contains("host"));
        given().auth()
                .oauth2(Tokens.viewer())
                .get("/api/network-rules/resolve")
                .then()
                .statusCode(400)
                .body("errors.field", contains("host"));
    }

    @Test
    void tunnelsKeepConfigAsAReferenceAndRecordObservedState() {
        String iface = "wg" + unique("t").substring(2, 10);
        Map<String, Object> body = new HashMap<>(
                Map.of("name", iface, "interface_name", iface, "config_path", "/etc/wireguard/other.conf"));
        operator().body(body).post("/api/tunnels").then().statusCode(400).body("errors.field", contains("config_path"));
        body.put("config_path", "/etc/wireguard/" + iface + ".conf");
        String id = operator()
                .body(body)
                .post("/api/tunnels")
                .then()
                .statusCode(201)
                .body("kind", equalTo("wireguard"))
                .body("enabled", equalTo(true))
                .body("operational_state", equalTo("unknown"))
                .body("usable_for_remote_execution", equalTo(false))
                .body("available", equalTo(false))
                .extract()
                .path("id");
        operator().body(body).post("/api/tunnels").then().statusCode(409);
        operator()
                .body(Map.of("operational_state", "up", "usable_for_remote_execution", true))
                .post("/api/tunnels/" + id + "/state")
                .then()
                .statusCode(200)
                .body("available", equalTo(true))
                .body("last_checked_at", org.hamcrest.Matchers.notNullValue());
        operator()
                .body(Map.of("operational_state", "sideways", "usable_for_remote_execution", true))
                .post("/api/tunnels/" + id + "/state")
                .then()
                .statusCode(400)
                .body("errors.field", contains("operational_state"));
        // the registry accepts exactly what onboarding can hand to wg/wg-quick (one shared rule)
        for (String bad : new String[] {"wg 0", "wg0;reboot", "a-very-long-interface-name", "", ".", "..", "-wg0"}) {
            operator()
                    .body(Map.of("name", "x", "interface_name", bad, "config_path", "/etc/wireguard/x.conf"))
                    .post("/api/tunnels")
                    .then()
                    .statusCode(400)
                    .body("errors.field", hasItem("interface_name"));
        }
        for (String bad : new String[] {
            "/etc/wireguard/../wgx.conf",
            "/tmp/+x/wgx.conf",
            "/etc/./wgx.conf",
            "/etc/wireguard/.",
            "relative/wgx.conf",
            "/etc/wireguard/@x.conf"
        }) {
            operator()
                    .body(Map.of("name", "x", "interface_name", "wgx", "config_path", bad))
                    .post("/api/tunnels")
                    .then()
                    .statusCode(400)
                    .body("errors.field", contains("config_path"));
        }

        // a tunnel in use cannot be deleted
        String wgAlder = "5f1d3c2a-0002-4a7e-9c10-000000000001";
        approver()
                .body(Map.of("confirm", true))
                .delete("/api/tunnels/" + wgAlder)
                .then()
                .statusCode(409);
        approver()
                .body(Map.of("confirm", true))
                .delete("/api/tunnels/" + id)
                .then()
                .statusCode(204);
        await().atMost(Duration.ofSeconds(20)).until(() -> eventTypes(id).size() >= 3);
        assertThat(eventTypes(id))
                .containsExactly("tunnel_profile.created", "tunnel_profile.updated", "tunnel_profile.deleted");
    }

    @Test
    void sitesInUseCannotBeDeleted() {
        String site = createSite(unique("Busy site"));
        register(operator(), target(unique("on-site"), "192.0.2.60", "site_id", site))
                .statusCode(201);
        approver()
                .body(Map.of("confirm", true))
                .delete("/api/sites/" + site)
                .then()
                .statusCode(409);
        assertThat(Sql.count("SELECT count(*) FROM registry.site WHERE id = ?::uuid", site))
                .isEqualTo(1);
        String free = createSite(unique("Free site"));
        operator()
                .body(Map.of("name", "Renamed " + free.substring(0, 6), "version", 0))
                .put("/api/sites/" + free)
                .then()
                .statusCode(200);
        approver()
                .body(Map.of("confirm", true, "version", 0))
                .delete("/api/sites/" + free)
                .then()
                .statusCode(409)
                .body("errors.field", contains("version"));
        approver()
                .body(Map.of("confirm", true, "version", 1))
                .delete("/api/sites/" + free)
                .then()
                .statusCode(204);
        await().atMost(Duration.ofSeconds(20)).until(() -> eventTypes(free).size() >= 3);
        assertThat(eventTypes(free)).containsExactly("site.created", "site.updated", "site.deleted");
    }
}
