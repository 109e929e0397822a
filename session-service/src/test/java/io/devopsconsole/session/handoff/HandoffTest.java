package io.devopsconsole.session.handoff;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import io.devopsconsole.events.agent.StreamKind;
import io.devopsconsole.events.registry.ProjectCreated;
import io.devopsconsole.session.Feed;
import io.devopsconsole.testkit.Sql;
import io.devopsconsole.testkit.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

@QuarkusTest
class HandoffTest {

    static JsonPath prepare(UUID project, String intent) {
        return given().auth()
                .oauth2(Tokens.operator())
                .contentType("application/json")
                .body(Map.of("project_id", project.toString(), "intent", intent))
                .post("/api/handoffs")
                .then()
                .statusCode(201)
                .extract()
                .jsonPath();
    }

    static void registryKnows(UUID project) {
        io.devopsconsole.session.Feed.announce(
                new ProjectCreated(project, "payments-api", "Payments API", "Cards", "/srv/projects/payments-api", 0));
    }

    /** Sessions and handoffs are opened only for projects the registry announced, and not for archived ones. */
    @Test
    void unknownNilAndArchivedProjectsAreRefused() {
        for (String id : new String[] {UUID.randomUUID().toString(), "00000000-0000-0000-0000-000000000000"}) {
            given().auth()
                    .oauth2(Tokens.operator())
                    .contentType("application/json")
                    .body(Map.of("project_id", id, "intent", "x"))
                    .post("/api/handoffs")
                    .then()
                    .statusCode(400)
                    .contentType("application/problem+json")
                    .body("errors[0].field", equalTo("project_id"));
            given().auth()
                    .oauth2(Tokens.operator())
                    .contentType("application/json")
                    .body(Map.of("project_id", id))
                    .post("/api/sessions")
                    .then()
                    .statusCode(400)
                    .body("errors[0].field", equalTo("project_id"));
            assertThat(Sql.count("SELECT count(*) FROM session.session WHERE project_id = ?::uuid", id))
                    .isZero();
        }
        UUID archived = UUID.randomUUID();
        registryKnows(archived);
        io.devopsconsole.session.Feed.announce(
                new io.devopsconsole.events.registry.ProjectArchived(archived, "payments-api", "Payments API", 1));
        given().auth()
                .oauth2(Tokens.operator())
                .contentType("application/json")
                .body(Map.of("project_id", archived.toString()))
                .post("/api/sessions")
                .then()
                .statusCode(409)
                .body("errors[0].field", equalTo("project_id"));
    }

    @Test
    void aFirstStartIsReadyAndOpensTheSessionWithTheDigestAndIntent() {
        UUID project = UUID.randomUUID();
        registryKnows(project);
        JsonPath ready = prepare(project, "Add card tokenization");
        assertThat(ready.getString("status")).isEqualTo("ready");
        assertThat(ready.getString("package.project.name")).isEqualTo("Payments API");
        assertThat(ready.getString("package.context_digest"))
                .contains("Payments API")
                .contains("/srv/projects/payments-api")
                .contains("No earlier session");
        String id = ready.getString("id");
        JsonPath started = given().auth()
                .oauth2(Tokens.operator())
                .post("/api/handoffs/" + id + "/start")
                .then()
                .statusCode(200)
                .body("status", equalTo("started"))
                .extract()
                .jsonPath();
        String session = started.getString("started_session");
        given().auth()
                .oauth2(Tokens.viewer())
                .get("/api/sessions/" + session + "/events")
                .then()
                .body("items[1].kind", equalTo("operator_message"))
                .body("items[1].body.text", containsString("Task: Add card tokenization"))
                .body("items[1].body.text", containsString("Context: Project Payments API"));
        given().auth()
                .oauth2(Tokens.operator())
                .post("/api/handoffs/" + id + "/start")
                .then()
                .statusCode(409);
    }

    @Test
    void liveWorkIsNeverReplacedTheOperatorIsAskedToDecide() {
        UUID session = Feed.newSession(null);
        UUID project = UUID.fromString(given().auth()
                .oauth2(Tokens.viewer())
                .get("/api/sessions/" + session)
                .then()
                .extract()
                .path("project_id"));
        JsonPath pkg = prepare(project, "Something else entirely");
        assertThat(pkg.getString("status")).isEqualTo("operator_decision_required");
        assertThat(pkg.getString("live_session_id")).isEqualTo(session.toString());
        assertThat(pkg.getString("package.live_session.id")).isEqualTo(session.toString());
        assertThat(pkg.getList("package.options")).containsExactly("reattach", "stop_then_start");
        given().auth()
                .oauth2(Tokens.operator())
                .post("/api/handoffs/" + pkg.getString("id") + "/start")
                .then()
                .statusCode(409)
                .body("detail", containsString(session.toString()));
        given().auth()
                .oauth2(Tokens.viewer())
                .queryParam("project_id", project)
                .get("/api/sessions/active")
                .then()
                .body("id", equalTo(session.toString()));
        // a ready package whose project got live work in the meantime is refused at start, naming it
        UUID other = Feed.newProject();
        String readyId = prepare(other, "first").getString("id");
        String live = given().auth()
                .oauth2(Tokens.operator())
                .contentType("application/json")
                .body("{\"project_id\":\"" + other + "\"}")
                .post("/api/sessions")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
        given().auth()
                .oauth2(Tokens.operator())
                .post("/api/handoffs/" + readyId + "/start")
                .then()
                .statusCode(409)
                .body("detail", containsString(live));
        given().auth()
                .oauth2(Tokens.viewer())
                .get("/api/handoffs/" + readyId)
                .then()
                .body("status", equalTo("ready"))
                .body("started_session", nullValue());
    }

    @Test
    void theContinuationSnapshotSaysWhereTheLastSessionStopped() {
        UUID session = Feed.newSession(null);
        UUID project = UUID.fromString(given().auth()
                .oauth2(Tokens.viewer())
                .get("/api/sessions/" + session)
                .then()
                .extract()
                .path("project_id"));
        given().auth()
                .oauth2(Tokens.operator())
                .contentType("application/json")
                .body("{\"text\":\"Fix the flaky test\"}")
                .post("/api/sessions/" + session + "/messages")
                .then()
                .statusCode(201);
        Feed.send(session, 1, StreamKind.TURN_STARTED, null);
        Feed.send(
                session,
                2,
                StreamKind.ITEM_COMPLETED,
                Feed.payload()
                        .put("item_type", "command_execution")
                        .put("command", "npm test")
                        .put("exit_code", 1)
                        .put("duration_ms", 900));
        Feed.send(
                session,
                3,
                StreamKind.ITEM_COMPLETED,
                Feed.payload()
                        .put("item_type", "agent_message")
                        .put("text", "The retry test races the clock; I need approval to change it."));
        Feed.send(session, 4, StreamKind.TURN_COMPLETED, null);
        await().atMost(Duration.ofSeconds(20))
                .until(() -> "idle"
                        .equals(given().auth()
                                .oauth2(Tokens.viewer())
                                .get("/api/sessions/" + session)
                                .then()
                                .extract()
                                .path("state")));
        given().auth()
                .oauth2(Tokens.operator())
                .contentType("application/json")
                .body("{}")
                .post("/api/sessions/" + session + "/stop")
                .then()
                .statusCode(200);
        Feed.send(session, 5, StreamKind.WORKER_STATE, Feed.payload().put("state", "stopped"));
        await().atMost(Duration.ofSeconds(20))
                .until(() -> "stopped"
                        .equals(given().auth()
                                .oauth2(Tokens.viewer())
                                .get("/api/sessions/" + session)
                                .then()
                                .extract()
                                .path("state")));
        JsonPath pkg = prepare(project, "Carry on");
        assertThat(pkg.getString("status")).isEqualTo("ready");
        assertThat(pkg.getString("package.continuation.session_id")).isEqualTo(session.toString());
        assertThat(pkg.getString("package.continuation.last_operator_message")).isEqualTo("Fix the flaky test");
        assertThat(pkg.getString("package.continuation.last_agent_message")).contains("races the clock");
        assertThat(pkg.getInt("package.continuation.commands_failed")).isEqualTo(1);
        assertThat(pkg.getString("package.context_digest"))
                .contains("stopped")
                .contains("Fix the flaky test")
                .contains("npm test (exit 1)");
    }
}
