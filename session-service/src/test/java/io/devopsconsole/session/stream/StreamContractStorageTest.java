package io.devopsconsole.session.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.devopsconsole.events.EventJson;
import io.devopsconsole.events.agent.AgentStreamRecord;
import io.devopsconsole.events.agent.stream.StreamFixtures;
import io.devopsconsole.session.Feed;
import io.devopsconsole.session.SseClient;
import io.devopsconsole.testkit.Sql;
import io.devopsconsole.testkit.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The contract's shared fixtures (libs/event-contracts stream-fixtures) through session-service:
 * every record is stored with its payload as sent, a viewer watching live and a viewer replaying
 * from storage receive the same text for every event, byte for byte (timestamps included), and
 * what the runner decided is taken, not re-judged: the approval's risk is the record's, the command
 * audit is written for the records the runner marked as completed commands.
 */
@QuarkusTest
class StreamContractStorageTest {

    @Test
    void theSharedFixturesAreStoredAsSentAndLiveAndReplayedEventsAreTheSameText() throws Exception {
        UUID session = Feed.newSession(null);
        List<JsonNode> fixtures = StreamFixtures.all();
        Map<Long, JsonNode> payloadBySeq = new LinkedHashMap<>();
        try (SseClient live = SseClient.open(session, Tokens.viewer(), null)) {
            List<SseClient.Event> seen = new ArrayList<>(live.take(1, Duration.ofSeconds(10))); // the session opened
            long seq = 0;
            for (JsonNode fixture : fixtures) {
                ObjectNode record = fixture.deepCopy();
                record.put("record_id", UUID.randomUUID().toString())
                        .put("session_id", session.toString())
                        .put("stream_seq", ++seq)
                        .putNull("target_id");
                payloadBySeq.put(seq, record.get("payload"));
                Feed.send(EventJson.mapper().treeToValue(record, AgentStreamRecord.class));
            }
            long stored = seq;
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> StreamStorageTest.storedStreamSeqs(session).size() == stored);
            // the fixtures end with the worker stopped: the live stream ends after the session's final
            // status (an approval still waiting expires after that, and only a replay shows its note)
            long last = StreamTest.lastSeq(session);
            while (seen.stream().noneMatch(e -> "end".equals(e.event()))
                    && ids(seen).stream().mapToLong(Long::longValue).max().orElse(0) < last) {
                List<SseClient.Event> more = live.take(1, Duration.ofSeconds(10));
                assertThat(more).as("live events up to " + last + " or the end").isNotEmpty();
                seen.addAll(more);
            }
            Map<Long, String> liveText = byId(seen);

            try (SseClient replay = SseClient.open(session, Tokens.viewer(), 0L)) {
                Map<Long, String> replayText = byId(replay.take(liveText.size(), Duration.ofSeconds(10)));
                assertThat(replayText.keySet()).containsAll(liveText.keySet());
                liveText.forEach((id, text) -> assertThat(replayText.get(id))
                        .as("event " + id + " live and replayed")
                        .isEqualTo(text));
            }

            // every record's stored body is its payload as sent, and its time is the fixture's (microseconds kept)
            int checked = 0;
            for (String text : liveText.values()) {
                JsonNode entry = EventJson.mapper().readTree(text);
                if (!entry.hasNonNull("stream_seq")) {
                    continue;
                }
                JsonNode fixture = fixtures.get(entry.get("stream_seq").asInt() - 1);
                assertThat(entry.get("kind").asText())
                        .isEqualTo(fixture.get("kind").asText());
                assertThat(entry.get("body"))
                        .as(text)
                        .isEqualTo(payloadBySeq.get(entry.get("stream_seq").asLong()));
                assertThat(java.time.OffsetDateTime.parse(entry.get("at").asText())
                                .toInstant())
                        .isEqualTo(
                                java.time.OffsetDateTime.parse(fixture.get("at").asText())
                                        .toInstant());
                checked++;
            }
            assertThat(checked).isEqualTo(fixtures.size());
        }
        // the runner's judgement of risk is what the approval carries
        assertThat(Sql.rows(
                        "SELECT request_id, risk FROM session.approval WHERE session_id = ? ORDER BY request_id",
                        session))
                .extracting(r -> r.get("request_id") + "=" + r.get("risk"))
                .containsExactly("turn-1:call_1=elevated", "turn-1:fc_1=elevated", "turn-2:call_2=destructive");
        // a command audit for each record the runner marked as a completed command (and for nothing else)
        assertThat(Sql.rows("SELECT item_id FROM session.command_audit WHERE session_id = ? ORDER BY item_id", session))
                .extracting(r -> r.get("item_id"))
                .containsExactly("call_1", "call_2", "call_3");
    }

    private static List<Long> ids(List<SseClient.Event> events) {
        return events.stream()
                .filter(e -> e.id() != null)
                .map(SseClient.Event::id)
                .toList();
    }

    private static Map<Long, String> byId(List<SseClient.Event> events) {
        Map<Long, String> out = new LinkedHashMap<>();
        events.stream().filter(e -> e.id() != null).forEach(e -> out.put(e.id(), e.data()));
        return out;
    }
}
