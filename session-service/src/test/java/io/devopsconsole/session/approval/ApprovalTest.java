package io.devopsconsole.session.approval;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

import io.devopsconsole.events.Topics;
import io.devopsconsole.events.agent.StreamKind;
import io.devopsconsole.session.Feed;
import io.devopsconsole.testkit.KafkaTopics;
import io.devopsconsole.testkit.TestInfrastructure;
import io.devopsconsole.testkit.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

@QuarkusTest
class ApprovalTest {

    static JsonPath approvals(UUID session) {
        return given().auth()
                .oauth2(Tokens.viewer())
                .get("/api/sessions/" + session + "/approvals")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
    }

    static String awaitApproval(UUID session, String requestId) {
        return await().atMost(Duration.ofSeconds(20))
                .until(
                        () -> approvals(session).getString("items.find { it.request_id == '" + requestId + "' }.id"),
                        id -> id != null);
    }

    static void requestApproval(UUID session, long seq, String requestId, String command) {
        Feed.send(
                session,
                seq,
                StreamKind.APPROVAL_REQUESTED,
                Feed.payload()
                        .put("request_id", requestId)
                        .put("approval_kind", "command")
                        .put("command", command)
                        .put("cwd", "/srv/app")
                        .put("reason", "tests"));
    }

    static List<String> commandsFor(UUID session) {
        return KafkaTopics.readAll(TestInfrastructure.kafka().bootstrapServers(), Topics.AGENT_COMMANDS).stream()
                .filter(r -> session.toString().equals(r.key()))
                .map(r -> new String(r.value(), StandardCharsets.UTF_8))
                .toList();
    }

    @Test
    void theSessionsOperatorDecidesOnceAndTheRunnerIsTold() {
        UUID session = Feed.newSession(null);
        Feed.send(session, 1, StreamKind.TURN_STARTED, null);
        requestApproval(session, 2, "req-7", "npm test");
        String id = awaitApproval(session, "req-7");
        given().auth()
                .oauth2(Tokens.viewer())
                .get("/api/sessions/" + session)
                .then()
                .body("state", equalTo("waiting_approval"));
        given().auth()
                .oauth2(Tokens.viewer())
                .get("/api/sessions/" + session + "/approvals/" + id)
                .then()
                .statusCode(200)
                .body("state", equalTo("pending"))
                .body("risk", equalTo("elevated"))
                .body("summary", equalTo("run: npm test (in /srv/app)"));

        String decision = "/api/sessions/" + session + "/approvals/" + id + "/decision";
        // an operator who is not the session's may not decide; a viewer may not either
        given().auth()
                .oauth2(Tokens.forRoles("mallory", "operator"))
                .contentType("application/json")
                .body("{\"decision\":\"approved\"}")
                .post(decision)
                .then()
                .statusCode(403);
        given().auth()
                .oauth2(Tokens.viewer())
                .contentType("application/json")
                .body("{\"decision\":\"approved\"}")
                .post(decision)
                .then()
                .statusCode(403);
        given().auth()
                .oauth2(Tokens.operator())
                .contentType("application/json")
                .body("{\"decision\":\"maybe\"}")
                .post(decision)
                .then()
                .statusCode(400);
        given().auth()
                .oauth2(Tokens.operator())
                .contentType("application/json")
                .body("{\"decision\":\"approved\",\"reason\":\"tests only\"}")
                .post(decision)
                .then()
                .statusCode(200)
                .body("state", equalTo("approved"))
                .body("decided_by", equalTo("olga-operator"))
                .body("automatic", equalTo(false))
                .body("decision_reason", equalTo("tests only"));
        given().auth()
                .oauth2(Tokens.approver())
                .contentType("application/json")
                .body("{\"decision\":\"denied\"}")
                .post(decision)
                .then()
                .statusCode(409);
        given().auth()
                .oauth2(Tokens.viewer())
                .get("/api/sessions/" + session)
                .then()
                .body("state", equalTo("active"));
        // an approval of another session is not found under this one
        UUID other = Feed.newSession(null);
        given().auth()
                .oauth2(Tokens.approver())
                .contentType("application/json")
                .body("{\"decision\":\"denied\"}")
                .post("/api/sessions/" + other + "/approvals/" + id + "/decision")
                .then()
                .statusCode(404);

        List<String> commands = await().atMost(Duration.ofSeconds(20))
                .until(
                        () -> commandsFor(session),
                        l -> l.stream().anyMatch(c -> c.contains("\"request_id\":\"req-7\"")));
        assertThat(commands.stream().filter(c -> c.contains("\"request_id\":\"req-7\"")))
                .singleElement()
                .asString()
                .contains("\"decision\":\"approved\"")
                .contains("olga-operator");

        // the command it approved is audited with the link
        Feed.send(
                session,
                3,
                StreamKind.ITEM_COMPLETED,
                Feed.payload()
                        .put("item_type", "command_execution")
                        .put("command", "npm test")
                        .put("cwd", "/srv/app")
                        .put("exit_code", 1)
                        .put("duration_ms", 2300)
                        .put("output", "FAIL src/app.test.js\nAuthorization: Bearer abcdefghijklmnop12345")
                        .put("approval_request_id", "req-7"));
        await().atMost(Duration.ofSeconds(20))
                .until(() -> given().auth()
                                .oauth2(Tokens.viewer())
                                .get("/api/sessions/" + session + "/commands")
                                .then()
                                .extract()
                                .jsonPath()
                                .getList("items")
                                .size()
                        == 1);
        given().auth()
                .oauth2(Tokens.viewer())
                .get("/api/sessions/" + session + "/commands")
                .then()
                .body("items[0].command", equalTo("npm test"))
                .body("items[0].exit_code", equalTo(1))
                .body("items[0].duration_ms", equalTo(2300))
                .body("items[0].approval_id", equalTo(id))
                .body("items[0].cwd", equalTo("/srv/app"))
                .body("items[0].output_tail", equalTo("FAIL src/app.test.js\nAuthorization: [REDACTED]"));
    }

    static double oldestPendingSeconds() {
        return given().get("/q/metrics")
                .then()
                .extract()
                .asString()
                .lines()
                .filter(l -> l.startsWith("session_approvals_oldest_pending_seconds"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .findFirst()
                .orElse(-1);
    }

    @Test
    void anApproverMayDecideAndAnUndecidedRequestExpiresAsDenied() {
        UUID session = Feed.newSession(null);
        Feed.send(session, 1, StreamKind.TURN_STARTED, null);
        requestApproval(session, 2, "a", "make deploy");
        requestApproval(session, 3, "b", "make clean");
        String first = awaitApproval(session, "a");
        String second = awaitApproval(session, "b");
        given().auth()
                .oauth2(Tokens.approver())
                .contentType("application/json")
                .body("{\"decision\":\"denied\"}")
                .post("/api/sessions/" + session + "/approvals/" + first + "/decision")
                .then()
                .statusCode(200)
                .body("state", equalTo("denied"))
                .body("decided_by", equalTo("abe-approver"));
        // one still pending: the session keeps waiting, and how long the oldest has waited is exported (alerted on)
        given().auth()
                .oauth2(Tokens.viewer())
                .get("/api/sessions/" + session)
                .then()
                .body("state", equalTo("waiting_approval"));
        await().atMost(Duration.ofSeconds(10)).until(() -> oldestPendingSeconds() > 0.4);
        // the test timeout is 3 s
        await().atMost(Duration.ofSeconds(15))
                .until(() -> "expired"
                        .equals(given().auth()
                                .oauth2(Tokens.viewer())
                                .get("/api/sessions/" + session + "/approvals/" + second)
                                .then()
                                .extract()
                                .path("state")));
        given().auth()
                .oauth2(Tokens.viewer())
                .get("/api/sessions/" + session + "/approvals/" + second)
                .then()
                .body("decided_by", equalTo("system:approval-timeout"))
                .body("automatic", equalTo(true));
        given().auth()
                .oauth2(Tokens.viewer())
                .get("/api/sessions/" + session)
                .then()
                .body("state", equalTo("active"));
        given().auth()
                .oauth2(Tokens.operator())
                .contentType("application/json")
                .body("{\"decision\":\"approved\"}")
                .post("/api/sessions/" + session + "/approvals/" + second + "/decision")
                .then()
                .statusCode(409);
        List<String> commands = await().atMost(Duration.ofSeconds(20))
                .until(
                        () -> commandsFor(session),
                        l -> l.stream().filter(c -> c.contains("approval_id")).count() == 2);
        assertThat(commands)
                .filteredOn(c -> c.contains("\"request_id\":\"b\""))
                .singleElement()
                .asString()
                .contains("\"decision\":\"denied\"");
        given().auth()
                .oauth2(Tokens.viewer())
                .queryParam("state", "pending")
                .get("/api/sessions/" + session + "/approvals")
                .then()
                .body("items", hasSize(0));
    }

    @Test
    void aBenignRequestIsApprovedByPolicyForTheTurnsOperatorAndRecordedAsSuch() {
        UUID session = Feed.newSession("auto_approve_benign");
        given().auth()
                .oauth2(Tokens.operator())
                .contentType("application/json")
                .body("{\"text\":\"look around\"}")
                .post("/api/sessions/" + session + "/messages")
                .then()
                .statusCode(201);
        Feed.send(session, 1, StreamKind.TURN_STARTED, null);
        requestApproval(session, 2, "ls", "bash -lc 'ls -la'");
        requestApproval(session, 3, "rm", "rm -rf build");
        String benign = awaitApproval(session, "ls");
        String destructive = awaitApproval(session, "rm");
        await().atMost(Duration.ofSeconds(10))
                .until(() -> "approved"
                        .equals(given().auth()
                                .oauth2(Tokens.viewer())
                                .get("/api/sessions/" + session + "/approvals/" + benign)
                                .then()
                                .extract()
                                .path("state")));
        given().auth()
                .oauth2(Tokens.viewer())
                .get("/api/sessions/" + session + "/approvals/" + benign)
                .then()
                .body("automatic", equalTo(true))
                .body("decided_by", equalTo("olga-operator"))
                .body("risk", equalTo("benign"));
        given().auth()
                .oauth2(Tokens.viewer())
                .get("/api/sessions/" + session + "/approvals/" + destructive)
                .then()
                .body("state", equalTo("pending"))
                .body("risk", equalTo("destructive"));
        // the transcript says the policy decided
        given().auth()
                .oauth2(Tokens.viewer())
                .get("/api/sessions/" + session + "/events")
                .then()
                .body("items.find { it.kind == 'approval_decided' }.body.automatic", equalTo(true));
    }

    @Test
    void aRequestSentAgainAfterItWasDecidedIsAnsweredFromTheRecord() {
        UUID session = Feed.newSession(null);
        Feed.send(session, 1, StreamKind.TURN_STARTED, null);
        requestApproval(session, 2, "again", "make lint");
        String id = awaitApproval(session, "again");
        given().auth()
                .oauth2(Tokens.operator())
                .contentType("application/json")
                .body("{\"decision\":\"approved\"}")
                .post("/api/sessions/" + session + "/approvals/" + id + "/decision")
                .then()
                .statusCode(200);
        // the runner reattached and the app-server asked again (a new stream record, same request id)
        requestApproval(session, 3, "again", "make lint");
        await().atMost(Duration.ofSeconds(20))
                .until(() -> commandsFor(session).stream()
                                .filter(c -> c.contains("\"request_id\":\"again\""))
                                .count()
                        == 2);
        assertThat(approvals(session).getList("items")).hasSize(1);
    }
}
