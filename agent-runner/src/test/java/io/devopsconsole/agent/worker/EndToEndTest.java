package io.devopsconsole.agent.worker;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.JsonNode;
import io.devopsconsole.agent.Runner;
import io.devopsconsole.agent.SessionServiceProcess;
import io.devopsconsole.agent.SshHostResource;
import io.devopsconsole.events.EventJson;
import io.devopsconsole.events.registry.RuntimeProfileState.CodexOptions;
import io.devopsconsole.testkit.SseClient;
import io.devopsconsole.testkit.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The whole relay with real parts: an operator's message posted to session-service (its own
 * process) reaches this runner as TurnRequested, the runner drives the real codex over real SSH,
 * the records come back through Kafka into session-service and out to an SSE client; the approval
 * is decided through the session API. The SSE ids must be gap-free and unique, and a client that
 * reconnects with Last-Event-ID gets exactly the rest.
 */
@QuarkusTest
class EndToEndTest {

    static JsonNode json(String data) {
        try {
            return EventJson.mapper().readTree(data);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static List<String> kinds(SseClient sse) {
        return sse.events().stream()
                .filter(e -> e.id() != null)
                .map(e -> json(e.data()).path("kind").asText())
                .toList();
    }

    static void awaitKind(SseClient sse, String kind, int count) {
        await().atMost(Duration.ofSeconds(40))
                .until(() -> kinds(sse).stream().filter(kind::equals).count() >= count);
    }

    @Test
    void anOperatorMessageRunsARealTurnStreamedOverSseWithTheApprovalDecidedThroughTheSessionApi() throws Exception {
        SessionServiceProcess sessions = SessionServiceProcess.shared();
        var host = SshHostResource.openssh();
        UUID target = Runner.target(
                "e2e-" + UUID.randomUUID().toString().substring(0, 6),
                host.port(),
                System.getProperty("user.name"),
                host.hostKeyLine(),
                "ready");
        Path work = SshHostResource.realWork().resolve("end-to-end");
        UUID project = Runner.project(
                target,
                work.toString(),
                new CodexOptions(
                        "mock-model", "mock", SshHostResource.model().baseUrl(), "on-request", "workspace-write"));
        String token = Tokens.operator();
        RequestSpecification api =
                given().baseUri(sessions.baseUrl()).auth().oauth2(token).contentType("application/json");

        String session = io.devopsconsole.agent.ConsoleSession.open(sessions.baseUrl(), token, project);
        URI stream = URI.create(sessions.baseUrl() + "/api/sessions/" + session + "/stream");
        try (SseClient sse = SseClient.open(stream, token, null)) {
            given().baseUri(sessions.baseUrl())
                    .auth()
                    .oauth2(token)
                    .contentType("application/json")
                    .body(Map.of("text", "RUN_ESCALATED: echo e2e-line; touch e2e.txt"))
                    .post("/api/sessions/" + session + "/messages")
                    .then()
                    .statusCode(201);
            awaitKind(sse, "approval_requested", 1);
            assertThat(Files.exists(work.resolve("e2e.txt"))).isFalse();
            String approval = given().baseUri(sessions.baseUrl())
                    .auth()
                    .oauth2(token)
                    .get("/api/sessions/" + session + "/approvals")
                    .then()
                    .statusCode(200)
                    .body("items[0].state", equalTo("pending"))
                    .extract()
                    .path("items[0].id");
            given().baseUri(sessions.baseUrl())
                    .auth()
                    .oauth2(token)
                    .contentType("application/json")
                    .body(Map.of("decision", "approved"))
                    .post("/api/sessions/" + session + "/approvals/" + approval + "/decision")
                    .then()
                    .statusCode(200);
            awaitKind(sse, "turn_completed", 1);
            assertThat(Files.exists(work.resolve("e2e.txt")))
                    .as("the approved command ran on the host")
                    .isTrue();

            // a second turn on the same worker and thread
            given().baseUri(sessions.baseUrl())
                    .auth()
                    .oauth2(token)
                    .contentType("application/json")
                    .body(Map.of("text", "Say hello"))
                    .post("/api/sessions/" + session + "/messages")
                    .then()
                    .statusCode(201);
            awaitKind(sse, "turn_completed", 2);

            List<SseClient.Event> events =
                    sse.events().stream().filter(e -> e.id() != null).toList();
            long first = Long.parseLong(events.get(0).id());
            Set<String> recordIds = new HashSet<>();
            for (int i = 0; i < events.size(); i++) {
                assertThat(Long.parseLong(events.get(i).id()))
                        .as("SSE ids are gap-free")
                        .isEqualTo(first + i);
                assertThat(recordIds.add(json(events.get(i).data()).path("id").asText()))
                        .as("no event twice")
                        .isTrue();
            }
            List<String> kinds = kinds(sse);
            assertThat(kinds)
                    .containsSubsequence(
                            "operator_message",
                            "turn_started",
                            "approval_requested",
                            "approval_resolved",
                            "command_output_delta",
                            "item_completed",
                            "turn_completed",
                            "operator_message",
                            "agent_message_delta",
                            "turn_completed");
            String hello = events.stream()
                    .map(e -> json(e.data()))
                    .filter(d -> d.path("kind").asText().equals("agent_message_delta"))
                    .skip(kinds.stream().filter("agent_message_delta"::equals).count() - 5)
                    .map(d -> d.path("body").path("delta").asText())
                    .collect(Collectors.joining());
            assertThat(hello).isEqualTo("Hello from the scripted model! 2+2=4.");

            // the command audit, linked to its approval
            given().baseUri(sessions.baseUrl())
                    .auth()
                    .oauth2(token)
                    .get("/api/sessions/" + session + "/commands")
                    .then()
                    .statusCode(200)
                    .body("items[0].exit_code", equalTo(0))
                    .body("items[0].approval_id", equalTo(approval));

            // a client that reconnects with Last-Event-ID gets exactly the rest, from storage
            String middle = events.get(events.size() / 2).id();
            try (SseClient again = SseClient.open(stream, token, middle)) {
                List<String> expected = events.subList(events.size() / 2 + 1, events.size()).stream()
                        .map(SseClient.Event::id)
                        .toList();
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> again.events().stream()
                                        .filter(e -> e.id() != null)
                                        .count()
                                >= expected.size());
                assertThat(again.events().stream()
                                .filter(e -> e.id() != null)
                                .map(SseClient.Event::id)
                                .toList())
                        .isEqualTo(expected);
            }
        }
    }
}
