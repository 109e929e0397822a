package io.devopsconsole.session.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.devopsconsole.events.CloudEventCodec;
import io.devopsconsole.events.EventEnvelope;
import io.devopsconsole.events.Topics;
import io.devopsconsole.events.agent.RunnerHeartbeat;
import io.devopsconsole.session.Feed;
import io.devopsconsole.testkit.KafkaTopics;
import io.devopsconsole.testkit.Sql;
import io.devopsconsole.testkit.TestInfrastructure;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/** A runner whose heartbeats stop is reported in its sessions' transcripts within seconds, once, and again when it is back. */
@QuarkusTest
class RunnerWatchTest {

    static void beat(String runner, List<UUID> sessions, boolean stopping) {
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        EventEnvelope e = CloudEventCodec.wrap(
                new RunnerHeartbeat(runner, sessions, now, 200, stopping),
                "/agent-runner",
                "system:agent-runner",
                now,
                Map.of());
        ProducerRecord<String, byte[]> r = new ProducerRecord<>(Topics.AGENT_PRESENCE, runner, e.data());
        CloudEventCodec.toKafkaHeaders(e).forEach((k, v) -> r.headers().add(k, v));
        KafkaTopics.send(TestInfrastructure.kafka().bootstrapServers(), r);
    }

    static List<String> notes(UUID session, String code) {
        return Sql.rows(
                        "SELECT body FROM session.session_event WHERE session_id = ? AND kind = 'system_note' ORDER BY seq",
                        session)
                .stream()
                .map(r -> r.get("body").toString())
                .filter(b -> b.contains("\"code\":\"" + code + "\""))
                .toList();
    }

    @Test
    void aSilentRunnerIsReportedToItsSessionsOnceAndItsReturnToo() throws Exception {
        UUID driven = Feed.newSession(null);
        UUID other = Feed.newSession(null);
        String runner = "runner-" + UUID.randomUUID().toString().substring(0, 6);
        // the watcher reads from the live end: beat until it has seen this runner
        for (int i = 0; i < 10; i++) {
            beat(runner, List.of(driven), false);
            Thread.sleep(200);
        }
        long stopped = System.nanoTime();
        await().atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> !notes(driven, "runner_lost").isEmpty());
        long toldMs = (System.nanoTime() - stopped) / 1_000_000;
        assertThat(toldMs).as("silence -> viewers told (1.5 s threshold)").isBetween(1_000L, 4_000L);
        assertThat(notes(driven, "runner_lost"))
                .singleElement()
                .asString()
                .contains(runner)
                .contains("stopped responding");
        assertThat(notes(other, "runner_lost")).isEmpty();
        Thread.sleep(1_000);
        assertThat(notes(driven, "runner_lost")).as("reported once").hasSize(1);

        beat(runner, List.of(driven), false);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> !notes(driven, "runner_back").isEmpty());
        assertThat(notes(driven, "runner_back")).singleElement().asString().contains("answers again");
    }

    @Test
    void anOrderlyShutdownIsNotReportedAsADeath() throws Exception {
        UUID driven = Feed.newSession(null);
        String runner = "runner-" + UUID.randomUUID().toString().substring(0, 6);
        for (int i = 0; i < 10; i++) {
            beat(runner, List.of(driven), false);
            Thread.sleep(200);
        }
        beat(runner, List.of(driven), true);
        Thread.sleep(3_000);
        assertThat(notes(driven, "runner_lost")).isEmpty();
    }
}
