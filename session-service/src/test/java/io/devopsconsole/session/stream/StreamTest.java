package io.devopsconsole.session.stream;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.devopsconsole.events.agent.StreamKind;
import io.devopsconsole.session.Feed;
import io.devopsconsole.session.RawSseClient;
import io.devopsconsole.session.SseClient;
import io.devopsconsole.testkit.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

@QuarkusTest
class StreamTest {

    static long lastSeq(UUID session) {
        return ((Number) given().auth()
                        .oauth2(Tokens.viewer())
                        .get("/api/sessions/" + session)
                        .then()
                        .extract()
                        .path("last_seq"))
                .longValue();
    }

    static List<Long> ids(List<SseClient.Event> events) {
        return events.stream()
                .filter(e -> e.id() != null)
                .map(SseClient.Event::id)
                .toList();
    }

    @Test
    void anUnknownSessionOrAMalformedLastEventIdIsAPlainError() throws Exception {
        try (SseClient c = SseClient.open(UUID.randomUUID(), Tokens.viewer(), null, false)) {
            assertThat(c.status).isEqualTo(404);
            assertThat(c.bodyText()).contains("session");
        }
        UUID session = Feed.newSession(null);
        HttpResponse<String> bad = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(SseClient.base() + "/api/sessions/" + session + "/stream"))
                                .header("Authorization", "Bearer " + Tokens.viewer())
                                .header("Last-Event-ID", "abc")
                                .GET()
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("Last-Event-ID");
    }

    @Test
    void aViewerGetsTheStoredTranscriptThenLiveEventsAndTheEndWhenTheSessionEnds() throws Exception {
        UUID session = Feed.newSession(null);
        Feed.send(session, 1, StreamKind.TURN_STARTED, null);
        await().atMost(Duration.ofSeconds(20)).until(() -> lastSeq(session) >= 3); // opened, record, status
        try (SseClient viewer = SseClient.open(session, Tokens.viewer(), null)) {
            assertThat(viewer.status).isEqualTo(200);
            assertThat(ids(viewer.take(3, Duration.ofSeconds(10)))).containsExactly(1L, 2L, 3L);
            Feed.send(session, 2, StreamKind.AGENT_MESSAGE_DELTA, Feed.payload().put("delta", "Hello"));
            List<SseClient.Event> live = viewer.take(1, Duration.ofSeconds(10));
            assertThat(live).singleElement().satisfies(e -> {
                assertThat(e.id()).isEqualTo(4L);
                assertThat(e.data())
                        .contains("\"kind\":\"agent_message_delta\"")
                        .contains("\"delta\":\"Hello\"")
                        .contains("\"stream_seq\":2");
            });
            // the stream opens with a comment line (headers and a first byte at once, before any event), and while
            // idle heartbeats (comment lines) keep the connection alive; the test interval is 1 s
            assertThat(viewer.comments.get()).isGreaterThanOrEqualTo(1);
            int opened = viewer.comments.get();
            await().atMost(Duration.ofSeconds(5)).until(() -> viewer.comments.get() > opened);
            // a second viewer on the same session, resuming after 2
            try (SseClient second = SseClient.open(session, Tokens.viewer(), 2L)) {
                assertThat(ids(second.take(2, Duration.ofSeconds(10)))).containsExactly(3L, 4L);
            }
            given().auth()
                    .oauth2(Tokens.operator())
                    .contentType("application/json")
                    .body("{}")
                    .post("/api/sessions/" + session + "/stop")
                    .then()
                    .statusCode(200);
            Feed.send(session, 3, StreamKind.WORKER_STATE, Feed.payload().put("state", "stopped"));
            List<SseClient.Event> tail = new ArrayList<>();
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                viewer.events.drainTo(tail);
                return tail.stream().anyMatch(e -> "end".equals(e.event()));
            });
            await().atMost(Duration.ofSeconds(5)).until(() -> viewer.ended);
        }
        // closing the viewers changed nothing about the session
        given().auth()
                .oauth2(Tokens.viewer())
                .get("/api/sessions/" + session)
                .then()
                .extract()
                .path("state")
                .equals("stopped");
    }

    /**
     * The seam: records keep arriving while a client repeatedly disconnects and reconnects with
     * Last-Event-ID; over all connections it sees every event exactly once, in order.
     */
    /**
     * Records this replica stores reach its viewers straight from the store: the commit
     * notification of its own write (which can arrive before the store's answer) is held while the
     * store is in flight, so nothing is read back from PostgreSQL for a viewer that is live.
     */
    @Test
    void ownWritesReachLiveViewersWithoutReadingThemBack() throws Exception {
        UUID session = Feed.newSession(null);
        Feed.send(session, 1, StreamKind.TURN_STARTED, null);
        await().atMost(Duration.ofSeconds(20)).until(() -> lastSeq(session) >= 3);
        try (SseClient viewer = SseClient.open(session, Tokens.viewer(), null)) {
            assertThat(ids(viewer.take(3, Duration.ofSeconds(10)))).containsExactly(1L, 2L, 3L);
            double before = metric("session_sse_read_backs_total");
            for (long i = 2; i <= 41; i++) {
                Feed.send(
                        session,
                        i,
                        StreamKind.AGENT_MESSAGE_DELTA,
                        Feed.payload().put("delta", "d" + i));
            }
            assertThat(ids(viewer.take(40, Duration.ofSeconds(20)))).isEqualTo(range(4, 43));
            assertThat(metric("session_sse_read_backs_total") - before).isZero();
        }
    }

    @Test
    void eachStreamRecordIsTimedHopByHopFromItsSendStamp() throws Exception {
        UUID session = Feed.newSession(null);
        Feed.send(session, 1, StreamKind.TURN_STARTED, null);
        await().atMost(Duration.ofSeconds(20)).until(() -> lastSeq(session) >= 3);
        double[] before = {
            hops("send_to_consume"),
            hops("send_to_poll"),
            hops("poll_to_consume"),
            hops("consume_to_commit"),
            batches("store"),
            batches("fan_out")
        };
        for (long i = 2; i <= 11; i++) {
            var r = Feed.record(
                    session, i, StreamKind.AGENT_MESSAGE_DELTA, Feed.payload().put("delta", "d" + i));
            var e = io.devopsconsole.events.CloudEventCodec.wrap(
                    r,
                    "/agent-runner",
                    "agent-runner",
                    java.time.OffsetDateTime.now(java.time.ZoneOffset.UTC),
                    java.util.Map.of());
            var record = new org.apache.kafka.clients.producer.ProducerRecord<String, byte[]>(
                    io.devopsconsole.events.Topics.AGENT_STREAM, e.subject(), e.data());
            io.devopsconsole.events.CloudEventCodec.toKafkaHeaders(e)
                    .forEach((k, v) -> record.headers().add(k, v));
            // as the runner stamps it when it hands the record to its producer
            io.devopsconsole.platform.metrics.RelayHops.stamp(
                    record.headers(),
                    io.devopsconsole.platform.metrics.RelayHops.SENT,
                    io.devopsconsole.platform.metrics.RelayHops.nowMicros());
            Feed.producer().send(record).get();
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> lastSeq(session) >= 13);
        // the consumer's interceptor stamped each polled record: the fetch and the wait for the method are apart
        assertThat(hops("send_to_consume") - before[0]).isGreaterThanOrEqualTo(10);
        assertThat(hops("send_to_poll") - before[1]).isGreaterThanOrEqualTo(10);
        assertThat(hops("poll_to_consume") - before[2]).isGreaterThanOrEqualTo(10);
        assertThat(hops("consume_to_commit") - before[3]).isGreaterThanOrEqualTo(10);
        // and each batch they came in is timed once per step: ten records in at most ten batches, at least one
        double stored = batches("store") - before[4];
        assertThat(stored).isBetween(1.0, 10.0);
        assertThat(batches("fan_out") - before[5]).isEqualTo(stored);
    }

    /** How many records one relay hop has timed ({@code devops.relay.hop}, issue 24). */
    private static double hops(String hop) {
        return metric("devops_relay_hop_seconds_count", "hop", hop);
    }

    /** How many consumer batches one step has timed ({@code devops.relay.batch}, issue 24). */
    private static double batches(String step) {
        return metric("devops_relay_batch_seconds_count", "step", step);
    }

    private static List<Long> range(long from, long to) {
        List<Long> out = new ArrayList<>();
        for (long i = from; i <= to; i++) {
            out.add(i);
        }
        return out;
    }

    /** One counter of this service's metrics. */
    static double metric(String name) {
        return metric(name, null, null);
    }

    /** A Prometheus sample's value (0 when absent); with a label, the sample carrying that label's value. */
    static double metric(String name, String label, String value) {
        String metrics = given().get("/q/metrics").then().extract().asString();
        String labels = label == null
                ? "(?:\\{[^}]*\\})?"
                : "\\{[^}]*" + label + "=\"" + java.util.regex.Pattern.quote(value) + "\"[^}]*\\}";
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^" + name + labels + " (\\S+)")
                .matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    @Test
    void reconnectingWithLastEventIdNeverLosesOrRepeatsAnEvent() throws Exception {
        UUID session = Feed.newSession(null);
        int records = 400;
        AtomicBoolean feeding = new AtomicBoolean(true);
        Thread feeder = new Thread(() -> {
            for (long i = 1; i <= records; i++) {
                Feed.send(
                        session,
                        i,
                        StreamKind.AGENT_MESSAGE_DELTA,
                        Feed.payload().put("delta", "d" + i));
                if (i % 4 == 0) {
                    try {
                        Thread.sleep(3);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }
            feeding.set(false);
        });
        feeder.start();
        List<Long> seen = new ArrayList<>();
        Random random = new Random(7);
        int connections = 0;
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline
                && (feeding.get() || seen.isEmpty() || seen.get(seen.size() - 1) < lastSeq(session))) {
            Long last = seen.isEmpty() ? null : seen.get(seen.size() - 1);
            try (SseClient client = SseClient.open(session, Tokens.viewer(), last)) {
                connections++;
                seen.addAll(ids(client.take(1 + random.nextInt(25), Duration.ofMillis(1500))));
            }
        }
        feeder.join();
        assertThat(connections).isGreaterThan(20);
        List<Long> expected = new ArrayList<>();
        for (long i = 1; i <= lastSeq(session); i++) {
            expected.add(i);
        }
        assertThat(seen).isEqualTo(expected);
    }

    @Test
    void aViewerThatDoesNotKeepUpIsToldToReconnectAndDoesNotDelayTheOthers() throws Exception {
        UUID session = Feed.newSession(null);
        String bulk = "x".repeat(8_000);
        try (RawSseClient slow = RawSseClient.open(session, Tokens.viewer());
                SseClient fast = SseClient.open(session, Tokens.viewer(), null)) {
            int records = 2_000;
            for (long i = 1; i <= records; i++) {
                Feed.send(Feed.record(
                        session,
                        i,
                        StreamKind.COMMAND_OUTPUT_DELTA,
                        Feed.payload().put("delta", bulk)));
            }
            long target = records + 1; // the opening status + every record
            List<Long> got = new ArrayList<>();
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                List<SseClient.Event> batch = new ArrayList<>();
                fast.events.drainTo(batch);
                got.addAll(ids(batch));
                return !got.isEmpty() && got.get(got.size() - 1) >= target;
            });
            List<Long> expected = new ArrayList<>();
            for (long i = 1; i <= target; i++) {
                expected.add(i);
            }
            assertThat(got).isEqualTo(expected);
            // the slow one, read at last: what fitted, then "reconnect" naming where to resume, then the end
            List<SseClient.Event> tail = slow.readToEnd(30_000);
            SseClient.Event reconnect = tail.get(tail.size() - 1);
            assertThat(reconnect.event()).isEqualTo("reconnect");
            long resumeAfter = Long.parseLong(reconnect.data().replaceAll(".*\"last_event_id\":(\\d+).*", "$1"));
            List<Long> slowIds = ids(tail);
            assertThat(resumeAfter).isLessThan(target);
            if (!slowIds.isEmpty()) {
                assertThat(slowIds.get(slowIds.size() - 1)).isEqualTo(resumeAfter);
            }
            // resuming from there replays the rest from storage
            try (SseClient again = SseClient.open(session, Tokens.viewer(), resumeAfter)) {
                assertThat(ids(again.take(1, Duration.ofSeconds(30)))).containsExactly(resumeAfter + 1);
            }
        }
        String metrics = given().get("/q/metrics").then().extract().asString();
        assertThat(metrics).containsPattern("session_sse_overflows_total [1-9]");
    }
}
