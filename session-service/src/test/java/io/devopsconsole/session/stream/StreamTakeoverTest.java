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
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * What a runner taking a session over relies on: numbers the previous owner reserved but never
 * used are not waited for once the new owner's first record arrives (no gap note), records of a
 * superseded owner are dropped, and records sent again with the same id are stored once. Token
 * usage is summed per thread, session and project.
 */
@QuarkusTest
class StreamTakeoverTest {

    static AgentStreamRecord record(UUID session, long seq, StreamKind kind, long fence, UUID id) {
        return new AgentStreamRecord(
                id,
                session,
                seq,
                kind,
                "turn-1",
                "item-" + seq,
                null,
                OffsetDateTime.now(ZoneOffset.UTC),
                Feed.payload().put("delta", "s" + seq),
                fence);
    }

    static AgentStreamRecord record(UUID session, long seq, StreamKind kind, long fence) {
        return record(session, seq, kind, fence, UUID.randomUUID());
    }

    @Test
    void aNewOwnerContinuesAfterTheOldOwnersUnusedNumbersWithoutAGapAndTheOldOwnerIsFenced() {
        UUID session = Feed.newSession(null);
        Feed.send(record(session, 1, StreamKind.TURN_STARTED, 1));
        Feed.send(record(session, 2, StreamKind.AGENT_MESSAGE_DELTA, 1));
        // owner 1 had reserved 1..100 and died after 2; owner 2 starts after the reserved block
        Feed.send(record(session, 101, StreamKind.WORKER_STATE, 2));
        Feed.send(record(session, 102, StreamKind.AGENT_MESSAGE_DELTA, 2));
        await().atMost(Duration.ofSeconds(20))
                .until(() -> StreamStorageTest.storedStreamSeqs(session).size() == 4);
        // the superseded owner wakes up and writes into its old block and beyond: dropped
        Feed.send(record(session, 3, StreamKind.AGENT_MESSAGE_DELTA, 1));
        Feed.send(record(session, 103, StreamKind.AGENT_MESSAGE_DELTA, 1));
        Feed.send(record(session, 103, StreamKind.TURN_COMPLETED, 2));
        await().atMost(Duration.ofSeconds(20))
                .until(() -> StreamStorageTest.storedStreamSeqs(session).size() == 5);
        assertThat(StreamStorageTest.storedStreamSeqs(session)).containsExactly(1L, 2L, 101L, 102L, 103L);
        assertThat(Sql.rows("SELECT kind FROM session.session_event WHERE session_id = ? AND stream_seq = 103", session)
                        .get(0)
                        .get("kind"))
                .isEqualTo("turn_completed");
        assertThat(Sql.count(
                        "SELECT count(*) FROM session.session_event WHERE session_id = ? AND kind = 'system_note'",
                        session))
                .isZero();
        assertThat(Sql.count("SELECT count(*) FROM session.stream_parked WHERE session_id = ?", session))
                .isZero();
        assertThat(Sql.count("SELECT stream_fence FROM session.session WHERE id = ?", session))
                .isEqualTo(2);
    }

    @Test
    void aRecordSentAgainWithTheSameIdIsStoredOnceAndItsNumberIsPassed() {
        UUID session = Feed.newSession(null);
        UUID item = UUID.randomUUID();
        Feed.send(record(session, 1, StreamKind.ITEM_STARTED, 1, item));
        // a new owner re-reads the thread and sends the item again (same id), then what is new
        Feed.send(record(session, 101, StreamKind.ITEM_STARTED, 2, item));
        Feed.send(record(session, 102, StreamKind.ITEM_COMPLETED, 2));
        await().atMost(Duration.ofSeconds(20))
                .until(() -> StreamStorageTest.storedStreamSeqs(session).size() == 2);
        Feed.send(record(session, 103, StreamKind.TURN_COMPLETED, 2));
        await().atMost(Duration.ofSeconds(20))
                .until(() -> StreamStorageTest.storedStreamSeqs(session).size() == 3);
        assertThat(StreamStorageTest.storedStreamSeqs(session)).containsExactly(1L, 102L, 103L);
        assertThat(Sql.count("SELECT count(*) FROM session.session_event WHERE id = ?", item))
                .isEqualTo(1);
    }

    @Test
    void tokenUsageIsSummedPerThreadSessionAndProject() {
        UUID session = Feed.newSession(null);
        UUID project = UUID.fromString(given().auth()
                .oauth2(Tokens.viewer())
                .get("/api/sessions/" + session)
                .then()
                .statusCode(200)
                .extract()
                .path("project_id"));
        Feed.send(Feed.record(
                session,
                1,
                StreamKind.TOKEN_USAGE,
                Feed.payload()
                        .put("thread_id", "t-a")
                        .put("input_tokens", 100)
                        .put("output_tokens", 20)
                        .put("total_tokens", 120)));
        Feed.send(Feed.record(
                session,
                2,
                StreamKind.TOKEN_USAGE,
                Feed.payload()
                        .put("thread_id", "t-a")
                        .put("input_tokens", 250)
                        .put("output_tokens", 50)
                        .put("total_tokens", 300)));
        // re-sent older totals never lower (or add to) the thread's usage
        Feed.send(Feed.record(
                session,
                3,
                StreamKind.TOKEN_USAGE,
                Feed.payload()
                        .put("thread_id", "t-a")
                        .put("input_tokens", 100)
                        .put("output_tokens", 20)
                        .put("total_tokens", 120)));
        Feed.send(Feed.record(
                session,
                4,
                StreamKind.TOKEN_USAGE,
                Feed.payload()
                        .put("thread_id", "t-b")
                        .put("input_tokens", 10)
                        .put("output_tokens", 5)
                        .put("total_tokens", 15)));
        await().atMost(Duration.ofSeconds(20))
                .until(() -> StreamStorageTest.storedStreamSeqs(session).size() == 4);
        given().auth()
                .oauth2(Tokens.viewer())
                .get("/api/usage/sessions/" + session)
                .then()
                .statusCode(200)
                .body("total_tokens", equalTo(315))
                .body("input_tokens", equalTo(260))
                .body("output_tokens", equalTo(55))
                .body("threads", equalTo(2));
        given().auth()
                .oauth2(Tokens.viewer())
                .get("/api/usage/projects/" + project)
                .then()
                .statusCode(200)
                .body("total_tokens", equalTo(315));
        given().auth()
                .oauth2(Tokens.viewer())
                .get("/api/usage/sessions/" + UUID.randomUUID())
                .then()
                .statusCode(404);
        given().get("/api/usage/sessions/" + session).then().statusCode(401);
    }
}
