package io.devopsconsole.platform.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * Where a stream record's time goes on its way from the worker to a viewer (issue 24), hop by hop,
 * as one Micrometer timer {@code devops.relay.hop} tagged {@code hop} with a percentile histogram
 * (Prometheus buckets, so {@code scripts/bench relay} reads each hop's p50/p99 for exactly its run):
 *
 * <ul>
 *   <li>agent-runner: {@code line_to_send} (the worker's line read → the record handed to the producer:
 *   the session thread's queue, mapping, numbering), {@code send_to_ack} (→ acknowledged by the brokers);</li>
 *   <li>session-service: {@code send_to_consume} (handed to the producer → in a consumer batch: the
 *   brokers and the fetch; two processes, so it needs their clocks in step: one host, or NTP), in two
 *   parts: {@code send_to_poll} (→ returned by the consumer's poll: brokers and fetch) and
 *   {@code poll_to_consume} (→ handed to the consuming method: the connector's queue, the previous batch
 *   still being stored, the event loop; {@link RelayPollStamp}),
 *   {@code consume_to_commit} (→ stored, the transaction committed), {@code commit_to_emit} (→ emitted
 *   to each viewer's SSE connection).</li>
 * </ul>
 *
 * The runner stamps each record with two headers in epoch microseconds: when the worker's line was
 * read ({@value #LINE_READ}) and when the record was handed to the producer ({@value #SENT}).
 */
public final class RelayHops {

    public static final String LINE_READ = "devops-line-read-us";
    public static final String SENT = "devops-sent-us";
    /** When the consumer's poll returned the record ({@link RelayPollStamp}), epoch microseconds. */
    public static final String POLLED = "devops-polled-us";

    private RelayHops() {}

    public static Timer timer(MeterRegistry meters, String hop) {
        return histogram(
                        "devops.relay.hop",
                        "Time a stream record spends in one hop from the worker to a viewer",
                        "hop",
                        hop)
                .register(meters);
    }

    /**
     * Where a consumer batch's time goes in session-service, one timing per batch ({@code devops.relay.batch},
     * tagged {@code step}): {@code store} (handed to the consuming method → committed: decoding, the one
     * statement, the commit) and {@code fan_out} (→ handed to every local viewer's connection). A batch holds
     * the next one back for both, so a batch of n records is taken no faster than n / (store + fan_out): the
     * figure that says whether the consumer keeps up (issue 24).
     */
    public static Timer batchTimer(MeterRegistry meters, String step) {
        return histogram(
                        "devops.relay.batch",
                        "Time one consumer batch of stream records spends in one step",
                        "step",
                        step)
                .register(meters);
    }

    /**
     * How a turn's start goes in the agent-runner, one timing per turn ({@code devops.relay.turn_start},
     * tagged {@code step}): {@code worker} (the turn taken up → its worker found, or started and ready),
     * {@code rpc} (→ the app-server answered {@code turn/start}), {@code commit} (→ the turn recorded as
     * started, one transaction; the turn's first stream lines wait for it), and {@code first_delta}
     * ({@code turn/start} sent → the worker's first agent-message delta read from its connection: the app-server's
     * and the model's own time, which the relay's hops are compared against). A turn's first delta is behind the
     * first three (issue 24).
     */
    public static Timer turnStartTimer(MeterRegistry meters, String step) {
        return histogram(
                        "devops.relay.turn_start",
                        "Time one turn's start spends in one step in the agent-runner",
                        "step",
                        step)
                .register(meters);
    }

    /** A timer with Prometheus buckets from 0.1 ms to 10 s, so a bench reads its p50/p99 for exactly its run. */
    private static Timer.Builder histogram(String name, String description, String tag, String value) {
        return Timer.builder(name)
                .description(description)
                .tag(tag, value)
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofNanos(100_000))
                .maximumExpectedValue(Duration.ofSeconds(10));
    }

    /** Now, in epoch microseconds. */
    public static long nowMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    }

    /** A {@link System#nanoTime()} reading of this process in epoch microseconds. */
    public static long epochMicros(long nanoTime) {
        return nowMicros() - (System.nanoTime() - nanoTime) / 1_000;
    }

    public static void stamp(Headers headers, String name, long micros) {
        headers.add(name, Long.toString(micros).getBytes(StandardCharsets.US_ASCII));
    }

    /** The stamp, or -1 when the record has none (or not a number). */
    public static long stamp(Headers headers, String name) {
        Header h = headers.lastHeader(name);
        if (h == null || h.value() == null) {
            return -1;
        }
        try {
            return Long.parseLong(new String(h.value(), StandardCharsets.US_ASCII));
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
