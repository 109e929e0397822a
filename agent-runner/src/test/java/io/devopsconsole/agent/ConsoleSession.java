package io.devopsconsole.agent;

import com.fasterxml.jackson.databind.JsonNode;
import io.devopsconsole.events.EventJson;
import io.devopsconsole.testkit.SseClient;
import io.devopsconsole.testkit.Tokens;

import java.net.URI;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A session as an operator uses it, through session-service (its own process): create it, watch
 * its SSE stream, send messages, decide approvals, interrupt. Events are the transcript entries
 * the stream carries ({@code kind}, {@code body}, ...).
 */
public final class ConsoleSession implements AutoCloseable {

    private final String base;
    private final String token = Tokens.operator();
    private final String id;
    private final SseClient sse;

    public ConsoleSession(SessionServiceProcess service, UUID project) throws Exception {
        this.base = service.baseUrl();
        this.id = given().baseUri(base).auth().oauth2(token).contentType("application/json")
                .body(Map.of("project_id", project.toString())).post("/api/sessions")
                .then().statusCode(201).extract().path("id");
        this.sse = SseClient.open(URI.create(base + "/api/sessions/" + id + "/stream"), token, null);
    }

    public UUID id() {
        return UUID.fromString(id);
    }

    public void say(String text) {
        given().baseUri(base).auth().oauth2(token).contentType("application/json").body(Map.of("text", text))
                .post("/api/sessions/" + id + "/messages").then().statusCode(201);
    }

    public void interrupt() {
        given().baseUri(base).auth().oauth2(token).post("/api/sessions/" + id + "/interrupt").then().statusCode(202);
    }

    /** Decides the session's pending approval ({@code approved} or {@code denied}); returns its id. */
    public String decide(String decision) {
        String approval = given().baseUri(base).auth().oauth2(token).queryParam("state", "pending")
                .get("/api/sessions/" + id + "/approvals").then().statusCode(200).extract().path("items[0].id");
        given().baseUri(base).auth().oauth2(token).contentType("application/json").body(Map.of("decision", decision))
                .post("/api/sessions/" + id + "/approvals/" + approval + "/decision").then().statusCode(200);
        return approval;
    }

    /** The transcript entries seen on the stream so far. */
    public List<JsonNode> events() {
        return sse.events().stream().filter(e -> e.id() != null).map(e -> json(e.data())).toList();
    }

    public List<String> kinds() {
        return events().stream().map(e -> e.path("kind").asText()).toList();
    }

    /** Waits for the nth event of a kind (from 1) and returns it. */
    public JsonNode await(String kind, int nth) {
        long deadline = System.nanoTime() + 45_000_000_000L;
        while (System.nanoTime() < deadline) {
            var found = events().stream().filter(e -> e.path("kind").asText().equals(kind)).skip(nth - 1).findFirst();
            if (found.isPresent()) {
                return found.get();
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw new AssertionError("no " + kind + " #" + nth + " on the SSE stream of session " + id + " within 45 s; it has "
                + kinds());
    }

    public JsonNode await(String kind) {
        return await(kind, 1);
    }

    /** SSE ids gap-free and every transcript entry once. */
    public void assertWellFormed() {
        List<SseClient.Event> events = sse.events().stream().filter(e -> e.id() != null).toList();
        Set<String> seen = new HashSet<>();
        long first = Long.parseLong(events.get(0).id());
        for (int i = 0; i < events.size(); i++) {
            assertThat(Long.parseLong(events.get(i).id())).as("SSE ids are gap-free").isEqualTo(first + i);
            assertThat(seen.add(json(events.get(i).data()).path("id").asText())).as("no transcript entry twice").isTrue();
        }
    }

    private static JsonNode json(String s) {
        try {
            return EventJson.mapper().readTree(s);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() throws Exception {
        sse.close();
    }
}
