package io.devopsconsole.registry.inventory;

import static io.devopsconsole.registry.inventory.Api.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import io.devopsconsole.testkit.Sql;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

@QuarkusTest
class RuntimeProfileTest {

    static Map<String, Object> binding(String target, String role, String dir) {
        return Map.of("target_id", target, "role", role, "working_directory", dir);
    }

    @Test
    void aProjectRunsOnAPrimaryAndSecondaryTargets() {
        String project = createProject();
        String a = registerLab(unique("rp-a"), "192.0.2.70");
        String b = registerLab(unique("rp-b"), "192.0.2.71");
        String id = operator()
                .body(Map.of(
                        "project_id",
                        project,
                        "bindings",
                        List.of(binding(a, "primary", "/srv/app"), binding(b, "secondary", "/srv/app-replica"))))
                .post("/api/runtime-profiles")
                .then()
                .statusCode(201)
                .body("switch_policy", equalTo("confirm"))
                .body("bindings.role", contains("primary", "secondary"))
                .body("bindings.working_directory", contains("/srv/app", "/srv/app-replica"))
                .extract()
                .path("id");
        operator()
                .body(Map.of("project_id", project, "bindings", List.of(binding(a, "primary", "/srv/app"))))
                .post("/api/runtime-profiles")
                .then()
                .statusCode(409)
                .body("errors.field", contains("project_id"));

        operator()
                .body(Map.of(
                        "switch_policy",
                        "attach",
                        "bindings",
                        List.of(binding(b, "primary", "/srv/app")),
                        "version",
                        0))
                .put("/api/runtime-profiles/" + id)
                .then()
                .statusCode(200)
                .body("switch_policy", equalTo("attach"))
                .body("bindings.target_id", contains(b));
        assertThat(Sql.count(
                        "SELECT count(*) FROM registry.runtime_profile_binding WHERE runtime_profile_id = ?::uuid", id))
                .isEqualTo(1);
        operator()
                .queryParam("project_id", project)
                .get("/api/runtime-profiles")
                .then()
                .body("items.id", hasItem(id));

        // a bound target cannot be removed
        operator()
                .body(Map.of())
                .post("/api/ssh-targets/" + b + "/retire")
                .then()
                .statusCode(200);
        approver()
                .body(Map.of("confirm", true))
                .delete("/api/ssh-targets/" + b)
                .then()
                .statusCode(409);

        approver()
                .body(Map.of("confirm", true))
                .delete("/api/runtime-profiles/" + id)
                .then()
                .statusCode(204);
        await().atMost(Duration.ofSeconds(20)).until(() -> eventTypes(id).size() >= 3);
        assertThat(eventTypes(id))
                .containsExactly("runtime_profile.created", "runtime_profile.updated", "runtime_profile.deleted");
    }

    @Test
    void codexOptionsAreStoredAnnouncedAndHostileValuesRefusedByName() {
        String project = createProject();
        String a = registerLab(unique("rp-codex"), "192.0.2.74");
        Map<String, Object> codex = Map.of(
                "model",
                "gpt-5-codex",
                "model_provider",
                "lab-gateway",
                "model_base_url",
                "http://10.0.0.5:8080/v1",
                "approval_policy",
                "untrusted",
                "sandbox_mode",
                "workspace-write");
        String id = operator()
                .body(Map.of(
                        "project_id", project, "bindings", List.of(binding(a, "primary", "/srv/app")), "codex", codex))
                .post("/api/runtime-profiles")
                .then()
                .statusCode(201)
                .body("codex.model", equalTo("gpt-5-codex"))
                .body("codex.model_base_url", equalTo("http://10.0.0.5:8080/v1"))
                .extract()
                .path("id");
        await().atMost(Duration.ofSeconds(20))
                .until(() -> Sql.count(
                                "SELECT count(*) FROM registry.outbox_event WHERE"
                                        + " message_key = ? AND convert_from(data, 'UTF8') LIKE '%\"model_provider\":\"lab-gateway\"%'",
                                id)
                        == 1);

        long before = Sql.count("SELECT count(*) FROM registry.runtime_profile");
        String other = createProject();
        for (Map.Entry<String, String> hostile : Map.of(
                        "model", "gpt-5'; rm -rf / #",
                        "model_provider", "lab\"gw",
                        "model_base_url", "http://x/v1\" -c sandbox_mode=\"danger-full-access",
                        "approval_policy", "yolo",
                        "sandbox_mode", "$(reboot)")
                .entrySet()) {
            Map<String, Object> bad = new java.util.HashMap<>(codex);
            bad.put(hostile.getKey(), hostile.getValue());
            operator()
                    .body(Map.of(
                            "project_id", other, "bindings", List.of(binding(a, "primary", "/srv/app")), "codex", bad))
                    .post("/api/runtime-profiles")
                    .then()
                    .statusCode(400)
                    .body("errors.field", contains("codex." + hostile.getKey()));
        }
        operator()
                .body(Map.of(
                        "project_id",
                        other,
                        "bindings",
                        List.of(binding(a, "primary", "/srv/app")),
                        "codex",
                        Map.of("model_base_url", "https://user:pw@llm.example/v1", "model_provider", "p")))
                .post("/api/runtime-profiles")
                .then()
                .statusCode(400)
                .body("errors.field", contains("codex.model_base_url"));
        assertThat(Sql.count("SELECT count(*) FROM registry.runtime_profile")).isEqualTo(before);

        operator()
                .body(Map.of(
                        "switch_policy",
                        "confirm",
                        "bindings",
                        List.of(binding(a, "primary", "/srv/app")),
                        "codex",
                        Map.of("model", "o4-mini"),
                        "version",
                        0))
                .put("/api/runtime-profiles/" + id)
                .then()
                .statusCode(200)
                .body("codex.model", equalTo("o4-mini"))
                .body("codex.model_provider", equalTo(null));
    }

    @Test
    void bindingsToRetiredOrUnknownTargetsAndBadShapesAreRefused() {
        String project = createProject();
        String retired = registerLab(unique("rp-old"), "192.0.2.72");
        operator()
                .body(Map.of())
                .post("/api/ssh-targets/" + retired + "/retire")
                .then()
                .statusCode(200);
        String live = registerLab(unique("rp-live"), "192.0.2.73");
        long before = Sql.count("SELECT count(*) FROM registry.runtime_profile");

        operator()
                .body(Map.of(
                        "project_id",
                        project,
                        "bindings",
                        List.of(binding(live, "primary", "/srv/a"), binding(retired, "secondary", "/srv/a"))))
                .post("/api/runtime-profiles")
                .then()
                .statusCode(400)
                .body("errors.field", contains("bindings[1].target_id"));
        operator()
                .body(Map.of(
                        "project_id",
                        project,
                        "bindings",
                        List.of(binding(UUID.randomUUID().toString(), "primary", "/srv/a"))))
                .post("/api/runtime-profiles")
                .then()
                .statusCode(400)
                .body("errors.field", contains("bindings[0].target_id"));
        operator()
                .body(Map.of("project_id", project, "bindings", List.of(binding(live, "secondary", "/srv/a"))))
                .post("/api/runtime-profiles")
                .then()
                .statusCode(400)
                .body("errors.field", contains("bindings"));
        operator()
                .body(Map.of("project_id", project, "bindings", List.of(binding(live, "primary", "/srv/../etc"))))
                .post("/api/runtime-profiles")
                .then()
                .statusCode(400)
                .body("errors.field", contains("bindings[0].working_directory"));
        operator()
                .body(Map.of("project_id", project, "bindings", List.of()))
                .post("/api/runtime-profiles")
                .then()
                .statusCode(400)
                .body("errors.field", contains("bindings"));
        operator()
                .body(Map.of(
                        "project_id",
                        UUID.randomUUID().toString(),
                        "bindings",
                        List.of(binding(live, "primary", "/srv/a"))))
                .post("/api/runtime-profiles")
                .then()
                .statusCode(400)
                .body("errors.field", contains("project_id"));
        operator()
                .body(Map.of(
                        "project_id",
                        project,
                        "switch_policy",
                        "yolo",
                        "bindings",
                        List.of(binding(live, "primary", "/srv/a"))))
                .post("/api/runtime-profiles")
                .then()
                .statusCode(400)
                .body("errors.field", contains("switch_policy"));
        assertThat(Sql.count("SELECT count(*) FROM registry.runtime_profile")).isEqualTo(before);
    }
}
