package io.devopsconsole.registry.inventory;

import static io.devopsconsole.registry.inventory.Api.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import io.devopsconsole.testkit.Sql;
import io.devopsconsole.testkit.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

@QuarkusTest
class TargetApiTest {

    static final String DUBAI_DC = "5f1d3c2a-0001-4a7e-9c10-000000000001";
    static final String ALDER_LAB = "5f1d3c2a-0001-4a7e-9c10-000000000002";
    static final String WG_ALDER = "5f1d3c2a-0002-4a7e-9c10-000000000001";

    @Test
    void registrationAppliesDefaultsAndNetworkRulesAndNeverShowsKeyMaterial() {
        String name = unique("devOps-test");
        register(operator(), target(name, "10.76.22.150"))
                .statusCode(201)
                .body("port", equalTo(22))
                .body("username", equalTo("root"))
                .body("environment", equalTo("lab"))
                .body("site_id", equalTo(DUBAI_DC))
                .body("access_path", equalTo("lan"))
                .body("tunnel_profile_id", nullValue())
                .body("key_source", equalTo("default_control_plane_identity"))
                .body("key_reference", nullValue())
                .body("codex_status", equalTo("unknown"))
                .body("trusted_host_key", nullValue())
                .body("retired", equalTo(false));

        register(operator(), target(unique("alder"), "10.26.3.4", "key_reference", "vault:ssh/targets/alder"))
                .statusCode(201)
                .body("site_id", equalTo(ALDER_LAB))
                .body("access_path", equalTo("tunnel"))
                .body("tunnel_profile_id", equalTo(WG_ALDER))
                .body("key_source", equalTo("target_override_key"));
        // a key reference names a key under ssh/ only: never a Codex auth slot or another secret of the store
        for (String outside : new String[] {"local:codex-auth/slot-1", "vault:deploy-key", "local:ssh"}) {
            register(operator(), target(unique("outside"), "10.26.3.6", "key_reference", outside))
                    .statusCode(400)
                    .body("errors[0].field", equalTo("key_reference"));
        }

        // an operator's explicit choice wins over the rules
        String site = createSite(unique("Explicit site"));
        register(
                        operator(),
                        target(
                                unique("explicit"),
                                "10.26.3.5",
                                "site_id",
                                site,
                                "access_path",
                                "lan",
                                "port",
                                2222,
                                "username",
                                "deploy"))
                .statusCode(201)
                .body("site_id", equalTo(site))
                .body("access_path", equalTo("lan"))
                .body("tunnel_profile_id", nullValue())
                .body("port", equalTo(2222))
                .body("username", equalTo("deploy"));
    }

    @Test
    void namesAreUniqueIgnoringCase() {
        String name = unique("Web");
        registerLab(name, "192.0.2.10");
        long before = Sql.count("SELECT count(*) FROM registry.ssh_target");
        register(operator(), target(name.toLowerCase(), "192.0.2.11"))
                .statusCode(409)
                .contentType("application/problem+json")
                .body("errors.field", contains("name"));
        assertThat(Sql.count("SELECT count(*) FROM registry.ssh_target")).isEqualTo(before);
    }

    @Test
    void operatorsRenameAndUpdateLabTargetsWithOneEventEach() {
        String name = unique("lab");
        String id = registerLab(name, "192.0.2.20");
        Map<String, Object> update = target(
                name + "-renamed",
                "192.0.2.20",
                "port",
                22,
                "username",
                "root",
                "environment",
                "lab",
                "access_path",
                "lan",
                "version",
                0);
        operator()
                .body(update)
                .put("/api/ssh-targets/" + id)
                .then()
                .statusCode(200)
                .body("name", equalTo(name + "-renamed"))
                .body("version", equalTo(1));
        update.put("port", 2200);
        update.put("version", 1);
        operator()
                .body(update)
                .put("/api/ssh-targets/" + id)
                .then()
                .statusCode(200)
                .body("port", equalTo(2200));
        // unchanged: no write, no event
        update.put("version", 2);
        operator()
                .body(update)
                .put("/api/ssh-targets/" + id)
                .then()
                .statusCode(200)
                .body("version", equalTo(2));
        // stale version
        update.put("version", 0);
        update.put("port", 2201);
        operator()
                .body(update)
                .put("/api/ssh-targets/" + id)
                .then()
                .statusCode(409)
                .body("errors.field", contains("version"));

        await().atMost(Duration.ofSeconds(20)).until(() -> eventTypes(id).size() >= 3);
        assertThat(eventTypes(id)).containsExactly("target.registered", "target.renamed", "target.updated");
    }

    @Test
    void productionChangesNeedAnApproverAndAnExplicitConfirm() {
        String name = unique("prod");
        // registering into production: operator refused, approver without confirm refused, with confirm accepted
        register(operator(), target(name, "198.51.100.7", "environment", "production", "confirm", true))
                .statusCode(403)
                .contentType("application/problem+json");
        register(approver(), target(name, "198.51.100.7", "environment", "production"))
                .statusCode(400)
                .body("errors.field", contains("confirm"));
        String id = register(approver(), target(name, "198.51.100.7", "environment", "production", "confirm", true))
                .statusCode(201)
                .extract()
                .path("id");

        Map<String, Object> rename = target(
                name + "-x",
                "198.51.100.7",
                "port",
                22,
                "username",
                "root",
                "environment",
                "production",
                "access_path",
                "lan",
                "version",
                0);
        operator().body(rename).put("/api/ssh-targets/" + id).then().statusCode(403);
        approver()
                .body(rename)
                .put("/api/ssh-targets/" + id)
                .then()
                .statusCode(400)
                .body("errors.field", contains("confirm"));
        rename.put("confirm", true);
        approver()
                .body(rename)
                .put("/api/ssh-targets/" + id)
                .then()
                .statusCode(200)
                .body("name", equalTo(name + "-x"));

        // moving a lab target into production is a production change too
        String lab = registerLab(unique("promote"), "198.51.100.8");
        operator()
                .body(target(
                        "whatever",
                        "198.51.100.8",
                        "port",
                        22,
                        "username",
                        "root",
                        "environment",
                        "production",
                        "access_path",
                        "lan",
                        "version",
                        0,
                        "confirm",
                        true))
                .put("/api/ssh-targets/" + lab)
                .then()
                .statusCode(403);

        operator()
                .body(Map.of("confirm", true))
                .post("/api/ssh-targets/" + id + "/retire")
                .then()
                .statusCode(403);
        approver()
                .body(Map.of())
                .post("/api/ssh-targets/" + id + "/retire")
                .then()
                .statusCode(400)
                .body("errors.field", contains("confirm"));
        approver()
                .body(Map.of("confirm", true))
                .post("/api/ssh-targets/" + id + "/retire")
                .then()
                .statusCode(200)
                .body("retired", equalTo(true));
        assertThat(Sql.rows("SELECT name FROM registry.ssh_target WHERE id = ?::uuid", id))
                .extracting(r -> r.get("name"))
                .containsExactly(name + "-x");
    }

    /**
     * The production gate follows the machine (ADR 0019): nobody reaches a production host through a
     * lab target on the same endpoint, nor through a lab target under another name that trusts the
     * production host's key.
     */
    @Test
    void aProductionHostCannotBeRegisteredAgainAsALabTarget() throws Exception {
        String prodName = unique("prod-db");
        String prod = register(
                        approver(),
                        target(prodName, "203.0.113.50", "port", 2222, "environment", "production", "confirm", true))
                .statusCode(201)
                .extract()
                .path("id");
        // same endpoint as lab (also spelled in upper case): 409 naming the production target
        register(operator(), target(unique("sneaky"), "203.0.113.50", "port", 2222))
                .statusCode(409)
                .contentType("application/problem+json")
                .body("detail", org.hamcrest.Matchers.containsString("production target " + prodName));
        register(operator(), target(unique("sneaky"), "203.0.113.50", "port", 2222, "environment", "staging"))
                .statusCode(409);
        // an existing lab target cannot be moved onto it either
        String lab = registerLab(unique("lab"), "203.0.113.52");
        operator()
                .body(target(
                        unique("moved"),
                        "203.0.113.50",
                        "port",
                        2222,
                        "username",
                        "root",
                        "environment",
                        "lab",
                        "access_path",
                        "lan",
                        "version",
                        0))
                .put("/api/ssh-targets/" + lab)
                .then()
                .statusCode(409);
        // the production host's key, trusted for a lab target reached under another address: 409
        String key = ed25519Key();
        Map<String, Object> trust = Map.of("key_type", "ssh-ed25519", "public_key", key, "confirm_trust", true);
        admin().body(trust).put("/api/ssh-targets/" + prod + "/host-key").then().statusCode(200);
        String alias = registerLab(unique("alias"), "203.0.113.51");
        admin().body(trust)
                .put("/api/ssh-targets/" + alias + "/host-key")
                .then()
                .statusCode(409)
                .body("detail", org.hamcrest.Matchers.containsString("same machine"));
        assertThat(Sql.rows("SELECT host_key_fingerprint FROM registry.ssh_target WHERE id = ?::uuid", alias)
                        .get(0)
                        .get("host_key_fingerprint"))
                .isNull();
        // another production target on that machine is fine; retiring one leaves the endpoint production while another
        // holds it
        register(
                        approver(),
                        target(
                                unique("prod-db-2"),
                                "203.0.113.50",
                                "port",
                                2222,
                                "environment",
                                "production",
                                "confirm",
                                true))
                .statusCode(201);
        approver()
                .body(Map.of("confirm", true))
                .post("/api/ssh-targets/" + prod + "/retire")
                .then()
                .statusCode(200);
        register(operator(), target(unique("still"), "203.0.113.50", "port", 2222))
                .statusCode(409);
    }

    @Test
    void removalNeedsRetirementApprovalAndConfirmAndKeepsHistoryInTheEvent() {
        String name = unique("gone");
        String id = registerLab(name, "192.0.2.30");
        operator()
                .body(Map.of("confirm", true))
                .delete("/api/ssh-targets/" + id)
                .then()
                .statusCode(403);
        approver()
                .body(Map.of("confirm", true))
                .delete("/api/ssh-targets/" + id)
                .then()
                .statusCode(409)
                .body("detail", org.hamcrest.Matchers.containsString("retired"));
        operator()
                .body(Map.of())
                .post("/api/ssh-targets/" + id + "/retire")
                .then()
                .statusCode(200);
        operator()
                .body(Map.of())
                .post("/api/ssh-targets/" + id + "/retire")
                .then()
                .statusCode(409);
        approver()
                .body(Map.of())
                .delete("/api/ssh-targets/" + id)
                .then()
                .statusCode(400)
                .body("errors.field", contains("confirm"));
        approver()
                .body(Map.of("confirm", true, "reason", "decommissioned"))
                .delete("/api/ssh-targets/" + id)
                .then()
                .statusCode(204);
        approver().get("/api/ssh-targets/" + id).then().statusCode(404);

        await().atMost(Duration.ofSeconds(20)).until(() -> eventTypes(id).size() >= 3);
        assertThat(eventTypes(id)).containsExactly("target.registered", "target.retired", "target.removed");
    }

    @Test
    void onlyAdminsTrustHostKeysExplicitlyAndTheFingerprintMustMatch() throws Exception {
        String id = registerLab(unique("keyed"), "192.0.2.40");
        String key = ed25519Key();
        Map<String, Object> trust = Map.of("key_type", "ssh-ed25519", "public_key", key, "confirm_trust", true);
        approver()
                .body(trust)
                .put("/api/ssh-targets/" + id + "/host-key")
                .then()
                .statusCode(403);
        admin().body(Map.of("key_type", "ssh-ed25519", "public_key", key))
                .put("/api/ssh-targets/" + id + "/host-key")
                .then()
                .statusCode(400)
                .body("errors.field", contains("confirm_trust"));
        admin().body(Map.of(
                        "key_type",
                        "ssh-ed25519",
                        "public_key",
                        key,
                        "fingerprint_sha256",
                        "SHA256:wrong",
                        "confirm_trust",
                        true))
                .put("/api/ssh-targets/" + id + "/host-key")
                .then()
                .statusCode(400)
                .body("errors.field", contains("fingerprint_sha256"));
        admin().body(Map.of("key_type", "ssh-rsa", "public_key", key, "confirm_trust", true))
                .put("/api/ssh-targets/" + id + "/host-key")
                .then()
                .statusCode(400)
                .body("errors.field", contains("public_key"));
        admin().body(trust)
                .put("/api/ssh-targets/" + id + "/host-key")
                .then()
                .statusCode(200)
                .body("trusted_host_key.fingerprint_sha256", equalTo(fingerprint(key)))
                .body("trusted_host_key.trusted_by", equalTo("ada-admin"));

        // a new host or port drops the trust: the key belonged to the old endpoint
        String name = given().auth()
                .oauth2(Tokens.viewer())
                .get("/api/ssh-targets/" + id)
                .then()
                .extract()
                .path("name");
        operator()
                .body(target(
                        name,
                        "192.0.2.41",
                        "port",
                        22,
                        "username",
                        "root",
                        "environment",
                        "lab",
                        "access_path",
                        "lan",
                        "version",
                        1))
                .put("/api/ssh-targets/" + id)
                .then()
                .statusCode(200)
                .body("trusted_host_key", nullValue());
        await().atMost(Duration.ofSeconds(20)).until(() -> eventTypes(id).size() >= 3);
        assertThat(eventTypes(id)).containsExactly("target.registered", "target.host_key_trusted", "target.updated");
    }

    @Test
    void listsAreFilteredAndPaged() {
        String prefix = unique("flt");
        String site = createSite(unique("Filter site"));
        registerLab(prefix + "-a", "192.0.2.50");
        register(operator(), target(prefix + "-b", "192.0.2.51", "environment", "staging", "site_id", site))
                .statusCode(201);
        register(operator(), target(prefix + "-c", "192.0.2.52", "environment", "staging", "site_id", site))
                .statusCode(201);

        given().auth()
                .oauth2(Tokens.viewer())
                .queryParam("name_prefix", prefix)
                .get("/api/ssh-targets")
                .then()
                .statusCode(200)
                .body("total", equalTo(3))
                .body("items.name", contains(prefix + "-a", prefix + "-b", prefix + "-c"));
        given().auth()
                .oauth2(Tokens.viewer())
                .queryParam("name_prefix", prefix)
                .queryParam("environment", "staging")
                .queryParam("size", 1)
                .get("/api/ssh-targets")
                .then()
                .body("total", equalTo(2))
                .body("items.name", contains(prefix + "-b"));
        given().auth()
                .oauth2(Tokens.viewer())
                .queryParam("site_id", site)
                .get("/api/ssh-targets")
                .then()
                .body("total", equalTo(2));
        given().auth()
                .oauth2(Tokens.viewer())
                .queryParam("name_prefix", prefix)
                .queryParam("codex_status", "ready")
                .get("/api/ssh-targets")
                .then()
                .body("total", equalTo(0));
        given().auth()
                .oauth2(Tokens.viewer())
                .queryParam("environment", "prod")
                .get("/api/ssh-targets")
                .then()
                .statusCode(400)
                .body("errors.field", contains("environment"));
        given().auth()
                .oauth2(Tokens.viewer())
                .queryParam("name_prefix", "%")
                .get("/api/ssh-targets")
                .then()
                .statusCode(200)
                .body("items.name", not(hasItem(notNullValue())));
    }

    private static io.restassured.specification.RequestSpecification given() {
        return io.restassured.RestAssured.given();
    }
}
