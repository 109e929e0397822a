package io.devopsconsole.session.stream;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import io.devopsconsole.events.agent.AgentStreamRecord;
import io.devopsconsole.events.agent.StreamKind;
import io.devopsconsole.session.Feed;
import io.devopsconsole.testkit.Sql;
import io.devopsconsole.testkit.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Stream records end up in the transcript once each, in the runner's order, whatever Kafka delivers. */
@QuarkusTest
class StreamStorageTest {

    static List<Long> storedStreamSeqs(UUID session) {
        return Sql.rows(
                        "SELECT stream_seq FROM session.session_event WHERE session_id = ? AND stream_seq IS NOT NULL"
                                + " ORDER BY seq",
                        session)
                .stream()
                .map(r -> ((Number) r.get("stream_seq")).longValue())
                .toList();
    }

    static List<Long> range(long from, long to) {
        List<Long> out = new ArrayList<>();
        for (long i = from; i <= to; i++) {
            out.add(i);
        }
        return out;
    }

    @Test
    void shuffledAndRepeatedRecordsAreStoredOnceInOrder() {
        UUID session = Feed.newSession(null);
        List<AgentStreamRecord> records = new ArrayList<>();
        for (long i = 1; i <= 60; i++) {
            records.add(Feed.record(
                    session, i, StreamKind.AGENT_MESSAGE_DELTA, Feed.payload().put("delta", "w" + i + " ")));
        }
        List<AgentStreamRecord> sent = new ArrayList<>(records);
        sent.addAll(records.subList(10, 30)); // redeliveries
        Collections.shuffle(sent, new Random(42));
        sent.forEach(Feed::send);
        await().atMost(Duration.ofSeconds(30))
                .until(() -> storedStreamSeqs(session).size() >= 60);
        assertThat(storedStreamSeqs(session)).isEqualTo(range(1, 60));
        // and the transcript positions themselves are gap-free: 1 (opened) .. 61
        List<Long> seqs =
                Sql.rows("SELECT seq FROM session.session_event WHERE session_id = ? ORDER BY seq", session).stream()
                        .map(r -> ((Number) r.get("seq")).longValue())
                        .toList();
        assertThat(seqs).isEqualTo(range(1, seqs.size()));
        assertThat(Sql.count("SELECT count(*) FROM session.stream_parked WHERE session_id = ?", session))
                .isZero();
    }

    @Test
    void aLateRecordFillsItsGapAndAMissingOneIsSkippedWithANoteAfterTheTimeout() {
        UUID session = Feed.newSession(null);
        Feed.send(session, 1, StreamKind.TURN_STARTED, null);
        Feed.send(session, 3, StreamKind.AGENT_MESSAGE_DELTA, Feed.payload().put("delta", "c"));
        Feed.send(session, 4, StreamKind.AGENT_MESSAGE_DELTA, Feed.payload().put("delta", "d"));
        await().atMost(Duration.ofSeconds(20))
                .until(() ->
                        Sql.count("SELECT count(*) FROM session.stream_parked WHERE session_id = ?", session) == 2);
        assertThat(storedStreamSeqs(session)).containsExactly(1L);
        Feed.send(session, 2, StreamKind.AGENT_MESSAGE_DELTA, Feed.payload().put("delta", "b"));
        await().atMost(Duration.ofSeconds(20))
                .until(() -> storedStreamSeqs(session).size() == 4);
        assertThat(storedStreamSeqs(session)).containsExactly(1L, 2L, 3L, 4L);

        // record 5 never comes: after the gap timeout 6 is stored, with a note naming the lost range
        Feed.send(session, 6, StreamKind.TURN_COMPLETED, null);
        await().atMost(Duration.ofSeconds(20))
                .until(() -> storedStreamSeqs(session).size() == 5);
        assertThat(storedStreamSeqs(session)).containsExactly(1L, 2L, 3L, 4L, 6L);
        assertThat(Sql.rows(
                                "SELECT body FROM session.session_event WHERE session_id = ? AND kind = 'system_note'",
                                session)
                        .get(0)
                        .get("body")
                        .toString())
                .contains("stream records 5 to 5 never arrived");
        // a straggler arriving after its gap was skipped is a duplicate of nothing: it is dropped, order holds
        Feed.send(session, 5, StreamKind.AGENT_MESSAGE_DELTA, Feed.payload().put("delta", "late"));
        Feed.send(session, 7, StreamKind.TURN_STARTED, null);
        await().atMost(Duration.ofSeconds(20))
                .until(() -> storedStreamSeqs(session).size() == 6);
        assertThat(storedStreamSeqs(session)).containsExactly(1L, 2L, 3L, 4L, 6L, 7L);
    }

    @Test
    void theStreamMovesTheSessionThroughItsStates() {
        UUID session = Feed.newSession(null);
        Feed.send(
                session,
                1,
                StreamKind.WORKER_STATE,
                Feed.payload().put("state", "starting").put("transport", "stdio"));
        Feed.send(session, 2, StreamKind.WORKER_STATE, Feed.payload().put("state", "ready"));
        await().atMost(Duration.ofSeconds(20)).until(() -> state(session).equals("idle"));
        Feed.send(session, 3, StreamKind.TURN_STARTED, null);
        await().atMost(Duration.ofSeconds(20)).until(() -> state(session).equals("active"));
        Feed.send(session, 4, StreamKind.TURN_FAILED, Feed.payload().put("message", "model unavailable"));
        await().atMost(Duration.ofSeconds(20)).until(() -> state(session).equals("idle"));
        given().auth()
                .oauth2(Tokens.viewer())
                .get("/api/sessions/" + session)
                .then()
                .body("state_reason", equalTo("turn failed: model unavailable"));
        // stop: stopping until the worker reports it stopped
        given().auth()
                .oauth2(Tokens.operator())
                .contentType("application/json")
                .body("{}")
                .post("/api/sessions/" + session + "/stop")
                .then()
                .statusCode(200)
                .body("state", equalTo("stopping"));
        Feed.send(session, 5, StreamKind.WORKER_STATE, Feed.payload().put("state", "stopped"));
        await().atMost(Duration.ofSeconds(20)).until(() -> state(session).equals("stopped"));
        List<Map<String, Object>> statuses = Sql.rows(
                "SELECT body FROM session.session_event WHERE session_id = ?" + " AND kind = 'status' ORDER BY seq",
                session);
        assertThat(statuses.stream().map(r -> r.get("body").toString().replaceAll(".*\"state\":\"([a-z_]+)\".*", "$1")))
                .containsExactly("requested", "starting", "idle", "active", "idle", "stopping", "stopped");
    }

    /**
     * Deltas that continue where this replica left a session are appended the short way (one
     * statement, no lock first); when someone else writes the session in between (here an operator's
     * message), the next deltas find the session moved and are stored the locking way: every record
     * once, in order, the message between them, positions gap-free.
     */
    @Test
    void deltasAppendedTheShortWayYieldToAnotherWriter() {
        UUID session = Feed.newSession(null);
        Feed.send(session, 1, StreamKind.WORKER_STATE, Feed.payload().put("state", "starting"));
        Feed.send(session, 2, StreamKind.WORKER_STATE, Feed.payload().put("state", "ready"));
        await().atMost(Duration.ofSeconds(20)).until(() -> state(session).equals("idle"));
        double appendedBefore = StreamTest.metric("session_stream_records_appended_total");
        for (long i = 3; i <= 12; i++) {
            Feed.send(session, i, StreamKind.AGENT_MESSAGE_DELTA, Feed.payload().put("delta", "a" + i));
        }
        await().atMost(Duration.ofSeconds(20))
                .until(() -> storedStreamSeqs(session).size() == 12);
        assertThat(StreamTest.metric("session_stream_records_appended_total") - appendedBefore)
                .isEqualTo(10.0);
        given().auth()
                .oauth2(Tokens.operator())
                .contentType("application/json")
                .body("{\"text\":\"and now the logs\"}")
                .post("/api/sessions/" + session + "/messages")
                .then()
                .statusCode(201);
        for (long i = 13; i <= 22; i++) {
            Feed.send(session, i, StreamKind.AGENT_MESSAGE_DELTA, Feed.payload().put("delta", "b" + i));
        }
        await().atMost(Duration.ofSeconds(20))
                .until(() -> storedStreamSeqs(session).size() == 22);
        assertThat(storedStreamSeqs(session)).isEqualTo(range(1, 22));
        List<Map<String, Object>> events = Sql.rows(
                "SELECT seq, kind, stream_seq FROM session.session_event WHERE session_id = ? ORDER BY seq", session);
        assertThat(events.stream().map(r -> ((Number) r.get("seq")).longValue()).toList())
                .isEqualTo(range(1, events.size()));
        List<String> order = events.stream()
                .map(r -> r.get("stream_seq") == null ? (String) r.get("kind") : "s" + r.get("stream_seq"))
                .toList();
        assertThat(order.indexOf("operator_message"))
                .isGreaterThan(order.indexOf("s12"))
                .isLessThan(order.indexOf("s13"));
    }

    /**
     * A record the database refuses (a delta reusing the id of a record stored in another session, as a
     * faulty producer might send) between good ones of two sessions: it goes to the dead-letter topic with
     * an error in its place, and every other record of both sessions is stored, in order; the service
     * stays ready.
     */
    @Test
    void aRecordTheDatabaseRefusesIsDeadLetteredWithAVisibleErrorAndEverythingElseGoesOn() {
        UUID poisoned = Feed.newSession(null);
        UUID other = Feed.newSession(null);
        AgentStreamRecord taken = Feed.send(other, 1, StreamKind.TURN_STARTED, null);
        Feed.send(poisoned, 1, StreamKind.TURN_STARTED, null);
        await().atMost(Duration.ofSeconds(30))
                .until(() -> storedStreamSeqs(other).size() == 1);
        Feed.send(new AgentStreamRecord(
                taken.recordId(),
                poisoned,
                2,
                StreamKind.AGENT_MESSAGE_DELTA,
                "turn-1",
                "item-2",
                null,
                java.time.OffsetDateTime.now(),
                Feed.payload().put("delta", "x"),
                null));
        Feed.send(poisoned, 3, StreamKind.AGENT_MESSAGE_DELTA, Feed.payload().put("delta", "after"));
        Feed.send(other, 2, StreamKind.AGENT_MESSAGE_DELTA, Feed.payload().put("delta", "fine"));
        Feed.send(poisoned, 4, StreamKind.TURN_COMPLETED, null);
        Feed.send(other, 3, StreamKind.TURN_COMPLETED, null);

        await().atMost(Duration.ofSeconds(30))
                .until(() -> storedStreamSeqs(poisoned).size() == 4
                        && storedStreamSeqs(other).size() == 3);
        assertThat(storedStreamSeqs(poisoned)).containsExactly(1L, 2L, 3L, 4L);
        assertThat(storedStreamSeqs(other)).containsExactly(1L, 2L, 3L);
        List<Map<String, Object>> second = Sql.rows(
                "SELECT kind, body FROM session.session_event WHERE session_id = ?" + " AND stream_seq = 2", poisoned);
        assertThat(second).singleElement().satisfies(row -> {
            assertThat(row.get("kind")).isEqualTo("error");
            assertThat(row.get("body").toString())
                    .contains("stream record 2 (agent_message_delta) could not be stored")
                    .contains("dead-letter");
        });
        await().atMost(Duration.ofSeconds(30))
                .until(() -> io.devopsconsole.testkit.KafkaTopics.readAll(
                                io.devopsconsole.testkit.TestInfrastructure.kafka()
                                        .bootstrapServers(),
                                io.devopsconsole.events.Topics.DEAD_LETTER)
                        .stream()
                        .anyMatch(r -> poisoned.toString().equals(r.key())));
        given().get("/q/health/ready").then().statusCode(200);
        assertThat(state(poisoned)).isEqualTo("idle");
        assertThat(state(other)).isEqualTo("idle");
    }

    static String state(UUID session) {
        return given().auth()
                .oauth2(Tokens.viewer())
                .get("/api/sessions/" + session)
                .then()
                .extract()
                .path("state");
    }
}
