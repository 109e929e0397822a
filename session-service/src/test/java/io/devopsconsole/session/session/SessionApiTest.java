package io.devopsconsole.session.session;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

import io.devopsconsole.events.Topics;
import io.devopsconsole.session.Feed;
import io.devopsconsole.testkit.KafkaTopics;
import io.devopsconsole.testkit.Sql;
import io.devopsconsole.testkit.TestInfrastructure;
import io.devopsconsole.testkit.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

@QuarkusTest
class SessionApiTest {

    static Response create(UUID project) {
        return given().auth()
                .oauth2(Tokens.operator())
                .contentType("application/json")
                .body("{\"project_id\":\"" + project + "\"}")
                .post("/api/sessions");
    }

    @Test
    void aProjectHasOneLiveSessionAndClientsCanReattachToIt() {
        UUID project = io.devopsconsole.session.Feed.newProject();
        String id = create(project)
                .then()
                .statusCode(201)
                .body("state", equalTo("requested"))
                .body("started_by", equalTo("olga-operator"))
                .body("last_seq", equalTo(1))
                .extract()
                .path("id");
        create(project)
                .then()
                .statusCode(409)
                .contentType("application/problem+json")
                .body("detail", containsString(id))
                .body("errors[0].field", equalTo("project_id"));
        given().auth()
                .oauth2(Tokens.viewer())
                .queryParam("projectId", project)
                .get("/api/sessions/active")
                .then()
                .statusCode(200)
                .body("id", equalTo(id));
        given().auth()
                .oauth2(Tokens.viewer())
                .queryParam("project_id", UUID.randomUUID())
                .get("/api/sessions/active")
                .then()
                .statusCode(404);
        given().auth()
                .oauth2(Tokens.viewer())
                .get("/api/sessions/active")
                .then()
                .statusCode(400)
                .body("errors[0].field", equalTo("project_id"));
        // stopping a session no worker ran for ends it at once; the project may then open a new one
        given().auth()
                .oauth2(Tokens.operator())
                .contentType("application/json")
                .body("{\"reason\":\"done\"}")
                .post("/api/sessions/" + id + "/stop")
                .then()
                .statusCode(200)
                .body("state", equalTo("stopped"));
        given().auth()
                .oauth2(Tokens.operator())
                .contentType("application/json")
                .body("{}")
                .post("/api/sessions/" + id + "/stop")
                .then()
                .statusCode(409);
        String second = create(project).then().statusCode(201).extract().path("id");
        assertThat(second).isNotEqualTo(id);
        given().auth()
                .oauth2(Tokens.viewer())
                .queryParam("project_id", project)
                .get("/api/sessions")
                .then()
                .statusCode(200)
                .body("items", hasSize(2))
                .body("items[0].id", equalTo(second));
    }

    @Test
    void aProjectsHistoryKeepsEndedSessionsWithWhatTheyWereAboutAndIsSearchable() {
        UUID project = Feed.newProject();
        String first = create(project).then().statusCode(201).extract().path("id");
        UUID s1 = UUID.fromString(first);
        message(s1, "Deploy the payments API to 100% of hosts: run_checks first");
        Feed.send(
                s1,
                1,
                io.devopsconsole.events.agent.StreamKind.WORKER_STATE,
                Feed.payload()
                        .put("state", "ready")
                        .put("target_name", "web-1")
                        .put("working_directory", "/srv/projects/payments-api"));
        Feed.send(
                s1,
                2,
                io.devopsconsole.events.agent.StreamKind.ITEM_COMPLETED,
                Feed.payload()
                        .put("item_type", "command_execution")
                        .put("status", "completed")
                        .put("outcome", "succeeded")
                        .put("command", "nginx -t")
                        .put("exit_code", 0)
                        .put("output", "nginx: configuration file /etc/nginx/nginx.conf test is successful"));
        Feed.send(s1, 3, io.devopsconsole.events.agent.StreamKind.TURN_STARTED, Feed.payload());
        await().atMost(Duration.ofSeconds(20))
                .until(() -> Sql.count(
                                "SELECT count(*) FROM session.session_event WHERE session_id = ?"
                                        + " AND stream_seq IS NOT NULL",
                                s1)
                        == 3);
        given().auth()
                .oauth2(Tokens.operator())
                .contentType("application/json")
                .body("{\"reason\":\"done for today\"}")
                .post("/api/sessions/" + s1 + "/stop")
                .then()
                .statusCode(200)
                .body("state", equalTo("stopping"));
        Feed.send(
                s1,
                4, // the worker confirms the stop: the session keeps the reason the operator gave
                io.devopsconsole.events.agent.StreamKind.WORKER_STATE,
                Feed.payload().put("state", "stopped"));
        await().atMost(Duration.ofSeconds(20))
                .until(() -> "stopped"
                        .equals(given().auth()
                                .oauth2(Tokens.viewer())
                                .get("/api/sessions/" + s1)
                                .then()
                                .extract()
                                .path("state")));
        String second = create(project).then().statusCode(201).extract().path("id");
        message(UUID.fromString(second), "check disk usage");

        // newest first; the ended session keeps its state, reason, what it was about and where it ran
        given().auth()
                .oauth2(Tokens.viewer())
                .queryParam("project_id", project)
                .get("/api/sessions")
                .then()
                .statusCode(200)
                .body("items", hasSize(2))
                .body("items[0].id", equalTo(second))
                .body("items[0].first_message", equalTo("check disk usage"))
                .body("items[0].target_name", equalTo(null))
                .body("items[1].id", equalTo(first))
                .body("items[1].state", equalTo("stopped"))
                .body("items[1].state_reason", equalTo("done for today (olga-operator)"))
                .body("items[1].first_message", equalTo("Deploy the payments API to 100% of hosts: run_checks first"))
                .body("items[1].target_name", equalTo("web-1"))
                .body("items[1].working_directory", equalTo("/srv/projects/payments-api"))
                .body("next_before", equalTo(null));
        // searched in messages, commands and their output, case-insensitively; % and _ are themselves
        assertThat(found(project, "NGINX -T")).containsExactly(first);
        assertThat(found(project, "test is SUCCESSFUL")).containsExactly(first);
        assertThat(found(project, "disk")).containsExactly(second);
        assertThat(found(project, "%")).containsExactly(first);
        assertThat(found(project, "_")).containsExactly(first);
        assertThat(found(project, "done for")).containsExactly(first);
        assertThat(found(project, "command")).isEmpty(); // a field's name is not its text
        assertThat(found(project, "nothing like this")).isEmpty();
        given().auth()
                .oauth2(Tokens.viewer())
                .queryParam("project_id", project)
                .queryParam("state", "stopped")
                .get("/api/sessions")
                .then()
                .statusCode(200)
                .body("items.id", org.hamcrest.Matchers.contains(first));
        // a page at a time
        String next = given().auth()
                .oauth2(Tokens.viewer())
                .queryParam("project_id", project)
                .queryParam("limit", 1)
                .get("/api/sessions")
                .then()
                .statusCode(200)
                .body("items.id", org.hamcrest.Matchers.contains(second))
                .extract()
                .path("next_before");
        given().auth()
                .oauth2(Tokens.viewer())
                .queryParam("project_id", project)
                .queryParam("limit", 1)
                .queryParam("before", next)
                .get("/api/sessions")
                .then()
                .statusCode(200)
                .body("items.id", org.hamcrest.Matchers.contains(first));
        // bad filters name their field
        given().auth()
                .oauth2(Tokens.viewer())
                .queryParam("state", "finished")
                .get("/api/sessions")
                .then()
                .statusCode(400)
                .body("errors[0].field", equalTo("state"));
        given().auth()
                .oauth2(Tokens.viewer())
                .queryParam("q", "x".repeat(201))
                .get("/api/sessions")
                .then()
                .statusCode(400)
                .body("errors[0].field", containsString("q"));
        given().queryParam("project_id", project).get("/api/sessions").then().statusCode(401);
    }

    @Test
    void theHistorySaysWhatNeedsAttentionInALiveSession() {
        UUID project = Feed.newProject();
        UUID session =
                UUID.fromString(create(project).then().statusCode(201).extract().path("id"));
        java.util.function.Supplier<String> attention = () -> given().auth()
                .oauth2(Tokens.viewer())
                .queryParam("project_id", project)
                .get("/api/sessions")
                .then()
                .statusCode(200)
                .extract()
                .path("items[0].attention");
        Feed.send(session, 1, io.devopsconsole.events.agent.StreamKind.TURN_STARTED, Feed.payload());
        Feed.send(
                session,
                2,
                io.devopsconsole.events.agent.StreamKind.WORKER_STATE,
                Feed.payload()
                        .put("state", "command_stuck")
                        .put("item_id", "c1")
                        .put("command", "sleep 900")
                        .put("quiet_ms", 300000));
        await().atMost(Duration.ofSeconds(20)).until(() -> "command_stuck".equals(attention.get()));
        // the command speaks again: nothing is stuck any more
        Feed.send(
                session,
                3,
                io.devopsconsole.events.agent.StreamKind.COMMAND_OUTPUT_DELTA,
                Feed.payload().put("delta", "still here\n"));
        await().atMost(Duration.ofSeconds(20)).until(() -> attention.get() == null);
        Feed.send(
                session,
                4,
                io.devopsconsole.events.agent.StreamKind.WORKER_STATE,
                Feed.payload().put("state", "lost").put("message", "the app-server stopped answering"));
        await().atMost(Duration.ofSeconds(20)).until(() -> "worker_lost".equals(attention.get()));
        // the runner driving it stops answering (session-service's own note): that is said first, until it is back
        service.runnerNote(session, "runner-lost:r1:1", "runner_lost", "r1", "the agent-runner r1 stopped responding")
                .await()
                .indefinitely();
        await().atMost(Duration.ofSeconds(20)).until(() -> "runner_lost".equals(attention.get()));
        service.runnerNote(session, "runner-back:r2:2", "runner_back", "r2", "agent-runner r2 took the session over")
                .await()
                .indefinitely();
        await().atMost(Duration.ofSeconds(20)).until(() -> "worker_lost".equals(attention.get()));
    }

    @jakarta.inject.Inject
    SessionService service;

    private static void message(UUID session, String text) {
        given().auth()
                .oauth2(Tokens.operator())
                .contentType("application/json")
                .body(java.util.Map.of("text", text))
                .post("/api/sessions/" + session + "/messages")
                .then()
                .statusCode(201);
    }

    private static List<String> found(UUID project, String q) {
        return given().auth()
                .oauth2(Tokens.viewer())
                .queryParam("project_id", project)
                .queryParam("q", q)
                .get("/api/sessions")
                .then()
                .statusCode(200)
                .extract()
                .path("items.id");
    }

    @Test
    void oneHundredConcurrentCreatesYieldExactlyOneSession() throws Exception {
        UUID project = io.devopsconsole.session.Feed.newProject();
        ExecutorService pool = Executors.newFixedThreadPool(32);
        try {
            List<Callable<Integer>> calls = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                calls.add(() -> create(project).statusCode());
            }
            List<Integer> statuses = new ArrayList<>();
            for (Future<Integer> f : pool.invokeAll(calls)) {
                statuses.add(f.get());
            }
            assertThat(statuses).filteredOn(s -> s == 201).hasSize(1);
            assertThat(statuses).filteredOn(s -> s == 409).hasSize(99);
        } finally {
            pool.shutdownNow();
        }
        assertThat(Sql.count("SELECT count(*) FROM session.session WHERE project_id = ?", project))
                .isEqualTo(1);
    }

    @Test
    void aMessageIsStoredAndHandedToTheRunnerInOneTransaction() {
        UUID session = Feed.newSession(null);
        String messageId = given().auth()
                .oauth2(Tokens.operator())
                .contentType("application/json")
                .body("{\"text\":\"Run the tests and tell me what fails\"}")
                .post("/api/sessions/" + session + "/messages")
                .then()
                .statusCode(201)
                .body("seq", equalTo(2))
                .extract()
                .path("message_id");
        given().auth()
                .oauth2(Tokens.viewer())
                .get("/api/sessions/" + session + "/events")
                .then()
                .statusCode(200)
                .body("items", hasSize(2))
                .body("items[1].kind", equalTo("operator_message"))
                .body("items[1].body.text", equalTo("Run the tests and tell me what fails"))
                .body("items[1].actor", equalTo("olga-operator"));
        List<ConsumerRecord<String, byte[]>> commands = await().atMost(Duration.ofSeconds(20))
                .until(
                        () ->
                                KafkaTopics.readAll(
                                                TestInfrastructure.kafka().bootstrapServers(), Topics.AGENT_COMMANDS)
                                        .stream()
                                        .filter(r -> session.toString().equals(r.key()))
                                        .toList(),
                        l -> !l.isEmpty());
        String command = new String(commands.get(0).value(), StandardCharsets.UTF_8);
        assertThat(new String(commands.get(0).headers().lastHeader("ce_type").value(), StandardCharsets.UTF_8))
                .isEqualTo("io.devopsconsole.agent.turn.requested.v1");
        assertThat(command).contains(messageId).contains("Run the tests").contains("\"message_seq\":2");

        // a message for one of the project's other bound targets names it in the command and the transcript
        UUID other = UUID.randomUUID();
        given().auth()
                .oauth2(Tokens.operator())
                .contentType("application/json")
                .body("{\"text\":\"and on the web host\",\"target_id\":\"" + other + "\"}")
                .post("/api/sessions/" + session + "/messages")
                .then()
                .statusCode(201);
        await().atMost(Duration.ofSeconds(20))
                .until(() ->
                        KafkaTopics.readAll(TestInfrastructure.kafka().bootstrapServers(), Topics.AGENT_COMMANDS)
                                .stream()
                                .filter(r -> session.toString().equals(r.key()))
                                .anyMatch(r -> new String(r.value(), StandardCharsets.UTF_8)
                                        .contains("\"target_id\":\"" + other + "\"")));
        given().auth()
                .oauth2(Tokens.viewer())
                .get("/api/sessions/" + session + "/events")
                .then()
                .statusCode(200)
                .body("items[2].target_id", equalTo(other.toString()));
        given().auth()
                .oauth2(Tokens.operator())
                .contentType("application/json")
                .body("{\"text\":\"x\",\"target_id\":\"not-a-uuid\"}")
                .post("/api/sessions/" + session + "/messages")
                .then()
                .statusCode(400);
    }

    @Test
    void badInputIsRefusedAndNothingIsHalfWritten() {
        UUID session = Feed.newSession(null);
        String path = "/api/sessions/" + session + "/messages";
        given().auth()
                .oauth2(Tokens.operator())
                .contentType("application/json")
                .body("{\"text\":\"  \"}")
                .post(path)
                .then()
                .statusCode(400)
                .body("errors[0].field", containsString("text"));
        given().auth()
                .oauth2(Tokens.operator())
                .contentType("application/json")
                .body("{\"text\":\"" + "x".repeat(32_001) + "\"}")
                .post(path)
                .then()
                .statusCode(400)
                .body("errors[0].field", containsString("text"));
        given().auth()
                .oauth2(Tokens.operator())
                .contentType("application/json")
                .body("{\"text\":\"hi\"}")
                .post("/api/sessions/" + UUID.randomUUID() + "/messages")
                .then()
                .statusCode(404);
        given().auth()
                .oauth2(Tokens.operator())
                .contentType("application/json")
                .body("{\"project_id\":\"nope\"}")
                .post("/api/sessions")
                .then()
                .statusCode(400);
        given().auth()
                .oauth2(Tokens.operator())
                .contentType("application/json")
                .body("{\"project_id\":\"" + UUID.randomUUID() + "\",\"approval_policy\":\"yolo\"}")
                .post("/api/sessions")
                .then()
                .statusCode(400)
                .body("errors[0].field", containsString("approval_policy"));
        given().auth()
                .oauth2(Tokens.operator())
                .contentType("application/json")
                .body("{}")
                .post("/api/sessions/" + session + "/stop")
                .then()
                .statusCode(200);
        given().auth()
                .oauth2(Tokens.operator())
                .contentType("application/json")
                .body("{\"text\":\"too late\"}")
                .post(path)
                .then()
                .statusCode(409);
        assertThat(Sql.count(
                        "SELECT count(*) FROM session.session_event WHERE session_id = ? AND kind = 'operator_message'",
                        session))
                .isZero();
        given().auth()
                .oauth2(Tokens.viewer())
                .get("/api/sessions/" + UUID.randomUUID())
                .then()
                .statusCode(404);
        given().auth()
                .oauth2(Tokens.viewer())
                .get("/api/sessions/not-a-uuid")
                .then()
                .statusCode(404);
    }

    @Test
    void aRunningTurnCanBeInterruptedAndAnIdleSessionHasNothingToInterrupt() {
        UUID session = Feed.newSession(null);
        given().auth()
                .oauth2(Tokens.operator())
                .post("/api/sessions/" + session + "/interrupt")
                .then()
                .statusCode(409);
        Feed.send(session, 1, io.devopsconsole.events.agent.StreamKind.TURN_STARTED, null);
        await().atMost(Duration.ofSeconds(20))
                .until(() -> "active"
                        .equals(given().auth()
                                .oauth2(Tokens.viewer())
                                .get("/api/sessions/" + session)
                                .then()
                                .extract()
                                .path("state")));
        given().auth()
                .oauth2(Tokens.viewer())
                .post("/api/sessions/" + session + "/interrupt")
                .then()
                .statusCode(403);
        given().auth()
                .oauth2(Tokens.operator())
                .post("/api/sessions/" + session + "/interrupt")
                .then()
                .statusCode(202);
        await().atMost(Duration.ofSeconds(20))
                .until(() ->
                        KafkaTopics.readAll(TestInfrastructure.kafka().bootstrapServers(), Topics.AGENT_COMMANDS)
                                .stream()
                                .anyMatch(r -> session.toString().equals(r.key())
                                        && new String(
                                                        r.headers()
                                                                .lastHeader("ce_type")
                                                                .value(),
                                                        StandardCharsets.UTF_8)
                                                .equals("io.devopsconsole.agent.turn.interrupt_requested.v1")));
    }
}
