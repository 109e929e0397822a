package io.devopsconsole.agent.worker;

import io.devopsconsole.agent.AgentConfig;
import io.devopsconsole.agent.codex.TurnMapper;
import io.devopsconsole.events.CloudEventCodec;
import io.devopsconsole.events.EventEnvelope;
import io.devopsconsole.events.Topics;
import io.devopsconsole.events.agent.AgentStreamRecord;
import io.devopsconsole.platform.metrics.RelayHops;
import io.devopsconsole.platform.text.StoredText;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Publishes a session's stream records on {@code console.agent.stream.v1} (key = session id), each
 * with the next {@code stream_seq} of its session and this runner's fence for the session. Numbers
 * come from blocks reserved in {@code session_stream} (one UPDATE per block, only under the fence
 * this runner took in {@link #acquire}), so no number is ever used twice; the rest of a dead
 * owner's block stays unused, and session-service skips it when the next owner's first record
 * (higher fence) arrives. Records a new owner may send again get ids derived from what they are
 * about ({@link #recordId}). Records go straight to Kafka through an idempotent producer (no
 * outbox: they are many, short-lived, and re-derivable from the app-server's thread), in order per
 * session. Callers are the session's own driver thread (blocking is fine there). ADR 0009, 0010.
 */
@ApplicationScoped
public class StreamPublisher {

    private static final Logger LOG = Logger.getLogger(StreamPublisher.class);
    private static final String SOURCE = "/agent-runner";

    private final Pool pool;
    private final String table;
    private final int block;
    private final KafkaProducer<String, byte[]> producer;
    private final Map<UUID, long[]> positions = new ConcurrentHashMap<>();
    private final Counter published;
    private final io.micrometer.core.instrument.Timer lineToSend;
    private final io.micrometer.core.instrument.Timer sendToAck;

    public StreamPublisher(
            Pool pool,
            @ConfigProperty(name = "devops.schema") String schema,
            AgentConfig config,
            io.devopsconsole.platform.messaging.KafkaClients kafka,
            MeterRegistry meters) {
        this.pool = pool;
        this.table = schema + ".session_stream";
        this.block = Math.max(1, config.seqBlock());
        Properties props = kafka.properties("agent-runner-stream-" + config.instanceId());
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 1); // records of many sessions share a request; at most 1 ms more
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000);
        this.producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
        this.published = Counter.builder("agent.stream.records.published").register(meters);
        this.lineToSend = RelayHops.timer(meters, "line_to_send");
        this.sendToAck = RelayHops.timer(meters, "send_to_ack");
    }

    /** This runner no longer owns the session: another took it over (its fence is higher). */
    public static final class Fenced extends RuntimeException {
        Fenced(UUID sessionId, long fence) {
            super("session " + sessionId + " was taken over by another runner (fence " + fence + " superseded)");
        }
    }

    /** A session's ownership as this runner holds it: {next, reservedThrough, fence}. */
    private static long[] position(long next, long reservedThrough, long fence) {
        return new long[] {next, reservedThrough, fence};
    }

    /**
     * Takes the session over: its fence goes up by one (every record, block and worker row of the
     * previous owner carries a lower one from now on) and numbering continues after everything
     * reserved so far. Returns the new fence.
     */
    public long acquire(UUID sessionId, String owner) {
        var row = pool.preparedQuery(
                        "INSERT INTO " + table + " (session_id, reserved_through, fence, owner) VALUES ($1, 0, 1, $2)"
                                + " ON CONFLICT (session_id) DO UPDATE SET fence = " + table + ".fence + 1, owner = $2"
                                + " RETURNING fence, reserved_through")
                .execute(Tuple.of(sessionId, owner))
                .await()
                .indefinitely()
                .iterator()
                .next();
        long fence = row.getLong("fence");
        long reserved = row.getLong("reserved_through");
        positions.put(sessionId, position(reserved + 1, reserved, fence));
        return fence;
    }

    /** Whether this runner still holds the session (no other runner took it over since). */
    public boolean stillOwns(UUID sessionId) {
        long[] pos = positions.get(sessionId);
        if (pos == null) {
            return false;
        }
        var rows = pool.preparedQuery("SELECT fence FROM " + table + " WHERE session_id = $1")
                .execute(Tuple.of(sessionId))
                .await()
                .indefinitely();
        return rows.size() == 1 && rows.iterator().next().getLong(0) == pos[2];
    }

    public long fence(UUID sessionId) {
        long[] pos = positions.get(sessionId);
        return pos == null ? 0 : pos[2];
    }

    /** When the worker's line being relayed on this thread was read ({@link System#nanoTime()}; 0: none). */
    private static final ThreadLocal<long[]> LINE_READ = ThreadLocal.withInitial(() -> new long[1]);

    /** Runs the relay of one worker line, whose records are timed from {@code readAt} (issue 24). */
    static void relaying(long readAt, Runnable relay) {
        long[] line = LINE_READ.get();
        line[0] = readAt;
        try {
            relay.run();
        } finally {
            line[0] = 0;
        }
    }

    /** Publishes the drafts in order and waits until the broker has them (a takeover's first record). */
    public List<AgentStreamRecord> publishAndWait(UUID sessionId, UUID targetId, List<TurnMapper.Draft> drafts) {
        List<AgentStreamRecord> sent = publish(sessionId, targetId, drafts);
        producer.flush();
        return sent;
    }

    /** Publishes the drafts in order; returns the records as sent. */
    public List<AgentStreamRecord> publish(UUID sessionId, UUID targetId, List<TurnMapper.Draft> drafts) {
        return publish(sessionId, targetId, drafts, null);
    }

    /**
     * As {@link #publish(UUID, UUID, List)}; with a {@code trace} (the turn's span), each record carries it
     * ({@code traceparent}, {@code ce_traceparent}) so storing and fan-out continue the operator's trace.
     */
    public List<AgentStreamRecord> publish(
            UUID sessionId, UUID targetId, List<TurnMapper.Draft> drafts, io.opentelemetry.context.Context trace) {
        if (drafts.isEmpty()) {
            return List.of();
        }
        long[] owned = positions.get(sessionId);
        if (owned == null) {
            throw new Fenced(sessionId, 0);
        }
        long fence = owned[2];
        long lineRead = LINE_READ.get()[0];
        long first = allocate(sessionId, drafts.size());
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        List<AgentStreamRecord> records = new java.util.ArrayList<>(drafts.size());
        for (int i = 0; i < drafts.size(); i++) {
            TurnMapper.Draft d = drafts.get(i);
            // what the worker said, in the stored form of text (ADR 0014): NUL, unpaired surrogates and
            // undecodable bytes travel as visible escapes, so no consumer can fail to store them
            AgentStreamRecord record = new AgentStreamRecord(
                    recordId(sessionId, d),
                    sessionId,
                    first + i,
                    d.kind(),
                    StoredText.encode(d.turnId()),
                    StoredText.encode(d.itemId()),
                    targetId,
                    now,
                    d.payload() == null ? null : StoredText.encodeTree(d.payload()),
                    fence);
            EventEnvelope envelope = CloudEventCodec.wrap(
                    record.recordId(),
                    record,
                    SOURCE,
                    "agent-runner",
                    now,
                    Map.of(CloudEventCodec.SESSION_ID, sessionId.toString()));
            ProducerRecord<String, byte[]> out =
                    new ProducerRecord<>(Topics.AGENT_STREAM, sessionId.toString(), envelope.data());
            CloudEventCodec.toKafkaHeaders(envelope)
                    .forEach((k, v) -> out.headers().add(k, v));
            if (trace != null) {
                io.devopsconsole.platform.tracing.Traces.toHeaders(trace, out.headers());
            }
            long sentAt = System.nanoTime();
            if (lineRead != 0) {
                lineToSend.record(sentAt - lineRead, TimeUnit.NANOSECONDS);
                RelayHops.stamp(out.headers(), RelayHops.LINE_READ, RelayHops.epochMicros(lineRead));
            }
            RelayHops.stamp(out.headers(), RelayHops.SENT, RelayHops.epochMicros(sentAt));
            producer.send(out, (meta, error) -> {
                if (error == null) {
                    sendToAck.record(System.nanoTime() - sentAt, TimeUnit.NANOSECONDS);
                } else {
                    io.devopsconsole.platform.logging.SessionLogs.error(
                            LOG,
                            sessionId,
                            null,
                            "stream record %d of session %s not published: %s",
                            record.streamSeq(),
                            sessionId,
                            error.toString());
                }
            });
            records.add(record);
        }
        published.increment(drafts.size());
        return records;
    }

    /**
     * The id of a record. Records a new owner may send again after re-reading the thread (items,
     * file changes, approvals, turn starts and ends) get an id derived from what they are about, so
     * session-service stores each once; deltas, token counts, errors and worker states are sent once
     * and get a random id. A turn has one end whatever its kind (the first stored wins).
     */
    static UUID recordId(UUID sessionId, TurnMapper.Draft d) {
        String turn = d.turnId();
        String item = d.itemId();
        String key = switch (d.kind()) {
            case ITEM_STARTED -> item == null ? null : "item-started/" + turn + "/" + item;
            case ITEM_COMPLETED -> item == null ? null : "item-completed/" + turn + "/" + item;
            case FILE_CHANGE ->
                item == null
                        ? null
                        : "file-change/" + turn + "/" + item + "/"
                                + d.payload().path("path").asText();
            case APPROVAL_REQUESTED ->
                "approval-requested/" + d.payload().path("request_id").asText();
            case APPROVAL_RESOLVED ->
                "approval-resolved/" + d.payload().path("request_id").asText();
            case TURN_STARTED -> "turn-started/" + turn;
            case TURN_COMPLETED, TURN_FAILED, TURN_TIMED_OUT, TURN_INTERRUPTED -> "turn-ended/" + turn;
            default -> null;
        };
        if (key == null || turn == null) {
            return UUID.randomUUID();
        }
        return UUID.nameUUIDFromBytes((sessionId + "/" + key).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** The first of n consecutive numbers for this session (reserving a new block, under this runner's fence, when the current one runs out). */
    private long allocate(UUID sessionId, int n) {
        long[] pos = positions.get(sessionId);
        if (pos == null) {
            throw new Fenced(sessionId, 0);
        }
        synchronized (pos) {
            if (pos[0] + n - 1 > pos[1]) {
                long need = pos[0] + n - 1 - pos[1];
                long want = Math.max(block, need);
                var rows = pool.preparedQuery("UPDATE " + table + " SET reserved_through = reserved_through + $2"
                                + " WHERE session_id = $1 AND fence = $3 RETURNING reserved_through")
                        .execute(Tuple.of(sessionId, want, pos[2]))
                        .await()
                        .indefinitely();
                if (rows.size() == 0) {
                    positions.remove(sessionId, pos);
                    throw new Fenced(sessionId, pos[2]);
                }
                long through = rows.iterator().next().getLong(0);
                long previous = through - want;
                if (previous != pos[1]) {
                    // numbers were reserved elsewhere in between: continue after everything reserved before
                    pos[0] = previous + 1;
                }
                pos[1] = through;
            }
            long first = pos[0];
            pos[0] += n;
            return first;
        }
    }

    /** Gives back the unused rest of a session's block (a clean hand-over leaves no gap). */
    public void release(UUID sessionId) {
        long[] pos = positions.remove(sessionId);
        if (pos == null) {
            return;
        }
        synchronized (pos) {
            pool.preparedQuery("UPDATE " + table
                            + " SET reserved_through = $2 WHERE session_id = $1 AND reserved_through = $3"
                            + " AND fence = $4")
                    .execute(Tuple.of(sessionId, pos[0] - 1, pos[1], pos[2]))
                    .await()
                    .indefinitely();
        }
    }

    public void flush() {
        producer.flush();
    }

    @PreDestroy
    void close() {
        producer.close(java.time.Duration.ofSeconds(5));
    }
}
