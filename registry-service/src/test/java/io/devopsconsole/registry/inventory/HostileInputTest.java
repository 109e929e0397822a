package io.devopsconsole.registry.inventory;

import io.devopsconsole.testkit.Sql;
import io.devopsconsole.testkit.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static io.devopsconsole.registry.inventory.Api.unique;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Feeds a table of hostile values into every field of every write endpoint: each must be refused
 * with a 4xx problem+json (never a 5xx), and nothing may be stored.
 */
@QuarkusTest
class HostileInputTest {

    static final List<Object> HOSTILE = List.of("", " ", "10.0.0.999", "host;rm -rf /", "$(reboot)", "`id`",
            "a".repeat(300), "../../etc/passwd", "/srv/../etc", "/srv/x;ls", "line\nbreak", "\u0000", -1, 0, 65536,
            99999999999L, true, List.of("x"), Map.of("k", "v"), "prod", "not-a-uuid", "-----BEGIN OPENSSH PRIVATE KEY-----");

    static final String SITE = "5f1d3c2a-0001-4a7e-9c10-000000000001";

    /** A valid body for each write route, which the test then spoils one field at a time. */
    static Map<String, Map<String, Object>> validBodies() {
        Map<String, Map<String, Object>> bodies = new HashMap<>();
        bodies.put("POST /api/sites", Map.of("name", "Hostile site"));
        bodies.put("POST /api/tunnels", Map.of("name", "hostile", "interface_name", "wghostile",
                "config_path", "/etc/wireguard/wghostile.conf", "enabled", true));
        bodies.put("POST /api/network-rules", Map.of("cidr", "10.200.0.0/16", "site_id", SITE, "access_path", "lan",
                "description", "hostile"));
        bodies.put("POST /api/ssh-targets", Map.of("name", "hostile-target", "host", "192.0.2.99", "port", 22,
                "username", "root", "environment", "lab", "access_path", "lan", "key_reference", "vault:ssh/hostile"));
        bodies.put("POST /api/projects", Map.of("slug", "hostile-project", "name", "Hostile",
                "default_working_directory", "/srv/hostile"));
        return bodies;
    }

    static long storedRows() {
        return Sql.count("SELECT (SELECT count(*) FROM registry.site) + (SELECT count(*) FROM registry.tunnel_profile)"
                + " + (SELECT count(*) FROM registry.network_rule) + (SELECT count(*) FROM registry.ssh_target)"
                + " + (SELECT count(*) FROM registry.project) + (SELECT count(*) FROM registry.runtime_profile)"
                + " + (SELECT count(*) FROM registry.outbox_event)");
    }

    @TestFactory
    Stream<DynamicTest> everyFieldOfEveryWriteRefusesHostileValues() {
        List<DynamicTest> tests = new ArrayList<>();
        validBodies().forEach((route, valid) -> {
            String path = route.substring(route.indexOf(' ') + 1);
            for (String field : valid.keySet()) {
                tests.add(DynamicTest.dynamicTest(route + " ." + field, () -> {
                    long before = storedRows();
                    for (Object hostile : HOSTILE) {
                        if (acceptable(route, field, hostile)) {
                            continue;
                        }
                        Map<String, Object> body = new HashMap<>(valid);
                        body.put(field, hostile);
                        int status = given().auth().oauth2(Tokens.admin()).contentType("application/json").body(body)
                                .post(path).then().extract().statusCode();
                        assertThat(status).as(route + " with " + field + "=" + hostile).isBetween(400, 499);
                    }
                    assertThat(storedRows()).as("rows after hostile writes to " + route).isEqualTo(before);
                }));
            }
        });
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> updatesRefuseHostileValuesToo() {
        String target = Api.registerLab(unique("victim"), "192.0.2.98");
        Map<String, Object> valid = new HashMap<>(Map.of("name", "victim-x", "host", "192.0.2.98", "port", 22,
                "username", "root", "environment", "lab", "access_path", "lan", "version", 0));
        return valid.keySet().stream().map(field -> DynamicTest.dynamicTest("PUT /api/ssh-targets/{id} ." + field, () -> {
            long before = storedRows();
            for (Object hostile : HOSTILE) {
                if (acceptable("PUT /api/ssh-targets", field, hostile)) {
                    continue;
                }
                Map<String, Object> body = new HashMap<>(valid);
                body.put(field, hostile);
                int status = given().auth().oauth2(Tokens.admin()).contentType("application/json").body(body)
                        .put("/api/ssh-targets/" + target).then().extract().statusCode();
                assertThat(status).as("PUT with " + field + "=" + hostile).isBetween(400, 499);
            }
            assertThat(storedRows()).isEqualTo(before);
        }));
    }

    /** Fields that hold a plain identifier-like word, where "prod" or "not-a-uuid" are fine values. */
    static final java.util.Set<String> WORD_FIELDS = java.util.Set.of("name", "slug", "username", "host", "interface_name");

    /** Values a field legitimately accepts (the table is generic); everything else must be refused. */
    private static boolean acceptable(String route, String field, Object value) {
        if (!(value instanceof String) && !(value instanceof Boolean) && !(value instanceof Number)) {
            return false;
        }
        if (WORD_FIELDS.contains(field) && ("prod".equals(value) || "not-a-uuid".equals(value))) {
            return true;
        }
        // a project's display name is free text (it never reaches a shell): one line, no control characters
        if (route.contains("projects") && field.equals("name") && value instanceof String s && !s.isBlank()
                && s.length() <= 200 && s.chars().noneMatch(Character::isISOControl)) {
            return true;
        }
        // an inventory name may look like an address; it only has to follow the name rules
        if (field.equals("name") && "10.0.0.999".equals(value)) {
            return true;
        }
        if (value instanceof Boolean && field.equals("enabled")) {
            return true;
        }
        if (field.equals("description") && value instanceof String s && s.chars().noneMatch(c -> c < 0x20 && c != '\n')
                && s.length() <= 500) {
            return true;
        }
        // a version number is a number: only negative ones are hostile
        return field.equals("version") && value instanceof Number n && n.longValue() >= 0;
    }
}
