package io.devopsconsole.registry.inventory;

import static io.devopsconsole.registry.inventory.Api.unique;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.devopsconsole.testkit.Sql;
import io.devopsconsole.testkit.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Feeds a table of hostile values into every field of every write endpoint: each must be refused
 * with a 4xx problem+json (never a 5xx), and nothing may be stored.
 */
@QuarkusTest
class HostileInputTest {

    static final List<Object> HOSTILE = List.of(
            "",
            " ",
            "10.0.0.999",
            "host;rm -rf /",
            "$(reboot)",
            "`id`",
            "a".repeat(300),
            "../../etc/passwd",
            "/srv/../etc",
            "/srv/x;ls",
            "line\nbreak",
            "\u0000",
            -1,
            0,
            65536,
            99999999999L,
            true,
            List.of("x"),
            Map.of("k", "v"),
            "prod",
            "not-a-uuid",
            "-----BEGIN OPENSSH PRIVATE KEY-----");

    static final String SITE = "5f1d3c2a-0001-4a7e-9c10-000000000001";

    /** One write route with a body that it accepts, which the test then spoils one field at a time. */
    record Case(String method, String path, Map<String, Object> valid) {
        String route() {
            return method + " " + path.replaceAll("[0-9a-f]{8}-[0-9a-f-]{27}", "{id}");
        }
    }

    /** Every write endpoint that takes a body, with fixtures created through the API. */
    static List<Case> cases() {
        String site = Api.createSite(unique("Hostile fixture"));
        String tunnel = Api.createTunnel("wg" + unique("h").substring(2, 10));
        String rule = Api.operator()
                .body(Map.of("cidr", "10.201." + (int) (Math.random() * 250) + ".0/24", "access_path", "lan"))
                .post("/api/network-rules")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
        String target = Api.registerLab(unique("victim"), "192.0.2.98");
        String project = Api.createProject();
        String profileTarget = Api.registerLab(unique("victim-rp"), "192.0.2.97");
        String profile = Api.operator()
                .body(Map.of(
                        "project_id",
                        project,
                        "bindings",
                        List.of(Map.of("target_id", profileTarget, "role", "primary", "working_directory", "/srv/p"))))
                .post("/api/runtime-profiles")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
        String tunnelName = given().auth()
                .oauth2(Tokens.viewer())
                .get("/api/tunnels/" + tunnel)
                .then()
                .extract()
                .path("name");
        List<Case> cases = new ArrayList<>();
        cases.add(new Case("POST", "/api/sites", Map.of("name", "Hostile site")));
        cases.add(new Case("PUT", "/api/sites/" + site, Map.of("name", "Hostile site 2", "version", 0)));
        cases.add(new Case(
                "POST",
                "/api/tunnels",
                Map.of(
                        "name",
                        "hostile",
                        "interface_name",
                        "wghostile",
                        "config_path",
                        "/etc/wireguard/wghostile.conf",
                        "enabled",
                        true)));
        cases.add(new Case(
                "PUT",
                "/api/tunnels/" + tunnel,
                Map.of(
                        "name",
                        tunnelName,
                        "interface_name",
                        tunnelName,
                        "config_path",
                        "/etc/wireguard/" + tunnelName + ".conf",
                        "enabled",
                        false,
                        "version",
                        0)));
        cases.add(new Case(
                "POST",
                "/api/tunnels/" + tunnel + "/state",
                Map.of("operational_state", "up", "usable_for_remote_execution", true)));
        cases.add(new Case(
                "POST",
                "/api/network-rules",
                Map.of("cidr", "10.200.0.0/16", "site_id", SITE, "access_path", "lan", "description", "hostile")));
        cases.add(new Case(
                "PUT",
                "/api/network-rules/" + rule,
                Map.of("cidr", "10.202.0.0/16", "access_path", "lan", "version", 0)));
        cases.add(new Case(
                "POST",
                "/api/ssh-targets",
                Map.of(
                        "name",
                        "hostile-target",
                        "host",
                        "192.0.2.99",
                        "port",
                        22,
                        "username",
                        "root",
                        "environment",
                        "lab",
                        "access_path",
                        "lan",
                        "key_reference",
                        "vault:ssh/hostile")));
        cases.add(new Case(
                "PUT",
                "/api/ssh-targets/" + target,
                Map.of(
                        "name",
                        "victim-x",
                        "host",
                        "192.0.2.98",
                        "port",
                        22,
                        "username",
                        "root",
                        "environment",
                        "lab",
                        "access_path",
                        "lan",
                        "version",
                        0)));
        cases.add(new Case(
                "PUT",
                "/api/ssh-targets/" + target + "/host-key",
                Map.of("key_type", "ssh-ed25519", "public_key", Api.ed25519Key(), "confirm_trust", true)));
        cases.add(new Case(
                "POST",
                "/api/projects",
                Map.of("slug", "hostile-project", "name", "Hostile", "default_working_directory", "/srv/hostile")));
        cases.add(new Case(
                "POST",
                "/api/runtime-profiles",
                Map.of(
                        "project_id",
                        Api.createProject(),
                        "switch_policy",
                        "attach",
                        "bindings",
                        List.of(Map.of(
                                "target_id", profileTarget, "role", "primary", "working_directory", "/srv/q")))));
        cases.add(new Case(
                "PUT",
                "/api/runtime-profiles/" + profile,
                Map.of(
                        "switch_policy",
                        "attach",
                        "bindings",
                        List.of(Map.of("target_id", profileTarget, "role", "primary", "working_directory", "/srv/r")),
                        "version",
                        0)));
        return cases;
    }

    static long storedRows() {
        return Sql.count("SELECT (SELECT count(*) FROM registry.site) + (SELECT count(*) FROM registry.tunnel_profile)"
                + " + (SELECT count(*) FROM registry.network_rule) + (SELECT count(*) FROM registry.ssh_target)"
                + " + (SELECT count(*) FROM registry.project) + (SELECT count(*) FROM registry.runtime_profile)"
                + " + (SELECT count(*) FROM registry.runtime_profile_binding) + (SELECT count(*) FROM registry.outbox_event)"
                + " + (SELECT coalesce(sum(version), 0) FROM registry.ssh_target) + (SELECT coalesce(sum(version), 0) FROM registry.site)"
                + " + (SELECT coalesce(sum(version), 0) FROM registry.tunnel_profile)"
                + " + (SELECT coalesce(sum(version), 0) FROM registry.network_rule)"
                + " + (SELECT coalesce(sum(version), 0) FROM registry.runtime_profile)");
    }

    @TestFactory
    Stream<DynamicTest> everyFieldOfEveryWriteRefusesHostileValues() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Case c : cases()) {
            for (String field : c.valid().keySet()) {
                tests.add(DynamicTest.dynamicTest(c.route() + " ." + field, () -> {
                    long before = storedRows();
                    for (Object hostile : HOSTILE) {
                        if (acceptable(c.route(), field, hostile)) {
                            continue;
                        }
                        Map<String, Object> body = new HashMap<>(c.valid());
                        body.put(field, hostile);
                        int status = given().auth()
                                .oauth2(Tokens.admin())
                                .contentType("application/json")
                                .body(body)
                                .request(c.method(), c.path())
                                .then()
                                .extract()
                                .statusCode();
                        assertThat(status)
                                .as(c.route() + " with " + field + "=" + hostile)
                                .isBetween(400, 499);
                    }
                    assertThat(storedRows())
                            .as("rows and versions after hostile writes to " + c.route())
                            .isEqualTo(before);
                }));
            }
        }
        return tests.stream();
    }

    /** Fields that hold a plain identifier-like word, where "prod" or "not-a-uuid" are fine values. */
    static final java.util.Set<String> WORD_FIELDS = java.util.Set.of("name", "slug", "username", "host");

    /** Values a field legitimately accepts (the table is generic); everything else must be refused. */
    private static boolean acceptable(String route, String field, Object value) {
        if (!(value instanceof String) && !(value instanceof Boolean) && !(value instanceof Number)) {
            return false;
        }
        if (WORD_FIELDS.contains(field) && ("prod".equals(value) || "not-a-uuid".equals(value))) {
            return true;
        }
        // a project's display name is free text (it never reaches a shell): one line, no control characters
        if (route.contains("projects")
                && field.equals("name")
                && value instanceof String s
                && !s.isBlank()
                && s.length() <= 200
                && s.chars().noneMatch(Character::isISOControl)) {
            return true;
        }
        // an inventory name may look like an address; it only has to follow the name rules
        if (field.equals("name") && "10.0.0.999".equals(value)) {
            return true;
        }
        if (value instanceof Boolean
                && (field.equals("enabled")
                        || field.equals("usable_for_remote_execution")
                        || field.equals("confirm_trust") && Boolean.TRUE.equals(value))) {
            return true;
        }
        if (field.equals("description")
                && value instanceof String s
                && s.chars().noneMatch(c -> c < 0x20 && c != '\n')
                && s.length() <= 500) {
            return true;
        }
        // a version number is a number: only negative ones are hostile
        return field.equals("version") && value instanceof Number n && n.longValue() >= 0;
    }
}
