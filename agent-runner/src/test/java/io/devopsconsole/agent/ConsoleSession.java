package io.devopsconsole.agent;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

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
        this.id = open(base, token, project);
        this.sse = SseClient.open(URI.create(base + "/api/sessions/" + id + "/stream"), token, null);
    }

    /**
     * Opens a session for the project through session-service; retried while session-service has not
     * taken the project's registration in yet (400 naming project_id), as a client would.
     */
    public static String open(String base, String token, UUID project) {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
        while (true) {
            io.restassured.response.Response r = given().baseUri(base)
                    .auth()
                    .oauth2(token)
                    .contentType("application/json")
                    .body(Map.of("project_id", project.toString()))
                    .post("/api/sessions");
            if (r.statusCode() == 201) {
                return r.path("id");
            }
            if (r.statusCode() != 400 || System.nanoTime() > deadline) {
                throw new IllegalStateException("opening a session answered " + r.statusCode() + ": " + r.asString());
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    public UUID id() {
        return UUID.fromString(id);
    }

    public void say(String text) {
        given().baseUri(base)
                .auth()
                .oauth2(token)
                .contentType("application/json")
                .body(Map.of("text", text))
                .post("/api/sessions/" + id + "/messages")
                .then()
                .statusCode(201);
    }

    /** Attaches a file (operator); returns the attachment's id. */
    public String attach(String name, String mediaType, byte[] content) {
        return given().baseUri(base)
                .auth()
                .oauth2(token)
                .contentType(mediaType)
                .queryParam("name", name)
                .body(content)
                .post("/api/sessions/" + id + "/attachments")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
    }

    public void interrupt() {
        given().baseUri(base)
                .auth()
                .oauth2(token)
                .post("/api/sessions/" + id + "/interrupt")
                .then()
                .statusCode(202);
    }

    /** Decides the session's pending approval ({@code approved} or {@code denied}); returns its id. */
    public String decide(String decision) {
        String approval = given().baseUri(base)
                .auth()
                .oauth2(token)
                .queryParam("state", "pending")
                .get("/api/sessions/" + id + "/approvals")
                .then()
                .statusCode(200)
                .extract()
                .path("items[0].id");
        given().baseUri(base)
                .auth()
                .oauth2(token)
                .contentType("application/json")
                .body(Map.of("decision", decision))
                .post("/api/sessions/" + id + "/approvals/" + approval + "/decision")
                .then()
                .statusCode(200);
        return approval;
    }

    /** The raw SSE events (with their arrival times). */
    public List<SseClient.Event> rawEvents() {
        return sse.events().stream().filter(e -> e.id() != null).toList();
    }

    /** Notes session-service wrote about stream records that never arrived. */
    public long lostNotes() {
        return events().stream()
                .filter(e -> e.path("body").path("text").asText("").contains("never arrived"))
                .count();
    }

    /** Entries seen twice: the same entry id, or the same item start/end, approval or turn end more than once. */
    public long duplicates() {
        Set<String> ids = new HashSet<>();
        Set<String> facts = new HashSet<>();
        long twice = 0;
        for (JsonNode entry : events()) {
            if (!ids.add(entry.path("id").asText())) {
                twice++;
            }
            String fact = fact(entry);
            if (fact != null && !facts.add(fact)) {
                twice++;
            }
        }
        return twice;
    }

    private static String fact(JsonNode entry) {
        String kind = entry.path("kind").asText();
        boolean end = kind.startsWith("turn_") && !kind.equals("turn_started");
        if (!end
                && !Set.of("item_started", "item_completed", "approval_requested", "approval_resolved", "turn_started")
                        .contains(kind)) {
            return null;
        }
        return (end ? "turn_end" : kind) + "/" + entry.path("turn_id").asText() + "/"
                + entry.path("item_id").asText();
    }

    /** The transcript entries seen on the stream so far. */
    public List<JsonNode> events() {
        return sse.events().stream()
                .filter(e -> e.id() != null)
                .map(e -> json(e.data()))
                .toList();
    }

    public List<String> kinds() {
        return events().stream().map(e -> e.path("kind").asText()).toList();
    }

    /** Waits for the nth event of a kind (from 1) and returns it. */
    public JsonNode await(String kind, int nth) {
        long deadline = System.nanoTime() + 45_000_000_000L;
        while (System.nanoTime() < deadline) {
            var found = events().stream()
                    .filter(e -> e.path("kind").asText().equals(kind))
                    .skip(nth - 1)
                    .findFirst();
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
        throw new AssertionError(
                "no " + kind + " #" + nth + " on the SSE stream of session " + id + " within 45 s; it has " + kinds());
    }

    public JsonNode await(String kind) {
        return await(kind, 1);
    }

    /**
     * SSE ids gap-free, every transcript entry once, the runner's records in increasing stream order,
     * no item, approval or turn end reported twice, and no note about lost stream records.
     */
    public void assertWellFormed() {
        List<SseClient.Event> events =
                sse.events().stream().filter(e -> e.id() != null).toList();
        Set<String> seen = new HashSet<>();
        Set<String> facts = new HashSet<>();
        long first = Long.parseLong(events.get(0).id());
        long lastStreamSeq = 0;
        for (int i = 0; i < events.size(); i++) {
            JsonNode entry = json(events.get(i).data());
            assertThat(Long.parseLong(events.get(i).id()))
                    .as("SSE ids are gap-free")
                    .isEqualTo(first + i);
            assertThat(seen.add(entry.path("id").asText()))
                    .as("no transcript entry twice")
                    .isTrue();
            if (entry.path("stream_seq").isNumber()) {
                assertThat(entry.path("stream_seq").asLong())
                        .as("runner records in stream order")
                        .isGreaterThan(lastStreamSeq);
                lastStreamSeq = entry.path("stream_seq").asLong();
            }
            String fact = fact(entry);
            if (fact != null) {
                assertThat(facts.add(fact)).as("reported once: " + fact).isTrue();
            }
            assertThat(entry.path("body").path("text").asText(""))
                    .as("no stream records lost")
                    .doesNotContain("never arrived");
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
