package io.devopsconsole.session.stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.devopsconsole.events.CloudEventCodec;
import io.devopsconsole.events.DomainEvent;
import io.devopsconsole.events.EventEnvelope;
import io.devopsconsole.events.EventJson;
import io.devopsconsole.events.MalformedEventException;
import io.devopsconsole.events.agent.AgentStreamRecord;
import io.devopsconsole.events.agent.StreamKind;
import io.devopsconsole.platform.messaging.DeadLetters;
import io.devopsconsole.platform.messaging.InboundEvents;
import io.devopsconsole.platform.messaging.Poison;
import io.devopsconsole.platform.messaging.Retries;
import io.devopsconsole.platform.metrics.RelayHops;
import io.devopsconsole.platform.text.StoredText;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Consumes the agent stream in batches: records are grouped by session and each session's share
 * are stored in one transaction (see {@link StreamStore#storeAll}): one commit per batch. Unreadable
 * records go to the dead-letter topic; records for a session this service does not know are dropped
 * with a warning (never block). A batch the database refuses for its data is stored again session
 * by session and record by record: the one record that cannot be stored is dead-lettered and an
 * error naming it takes its place, and everything else goes on. A database that cannot be reached
 * is waited for (retried in place), never a reason to drop anything.
 */
@ApplicationScoped
@io.quarkus.runtime.Startup // its counters exist (at 0) from the start, before the first batch
public class AgentStreamConsumer {

    private static final Logger LOG = Logger.getLogger(AgentStreamConsumer.class);

    private final StreamStore store;
    private final StreamHub hub;
    private final DeadLetters deadLetters;
    private final Counter poisoned;
    private final Counter consumed;
    private final io.micrometer.core.instrument.Timer sendToConsume;
    private final io.micrometer.core.instrument.Timer sendToPoll;
    private final io.micrometer.core.instrument.Timer pollToConsume;
    private final io.micrometer.core.instrument.Timer consumeToCommit;
    private final io.micrometer.core.instrument.Timer batchStore;
    private final io.micrometer.core.instrument.Timer batchFanOut;

    public AgentStreamConsumer(StreamStore store, StreamHub hub, DeadLetters deadLetters, MeterRegistry meters) {
        this.store = store;
        this.hub = hub;
        this.deadLetters = deadLetters;
        this.poisoned = Counter.builder("session.stream.records.poisoned")
                .description("stream records that could not be stored (dead-lettered, an error in their place)")
                .register(meters);
        this.sendToConsume = RelayHops.timer(meters, "send_to_consume");
        this.sendToPoll = RelayHops.timer(meters, "send_to_poll");
        this.pollToConsume = RelayHops.timer(meters, "poll_to_consume");
        this.consumeToCommit = RelayHops.timer(meters, "consume_to_commit");
        this.batchStore = RelayHops.batchTimer(meters, "store");
        this.batchFanOut = RelayHops.batchTimer(meters, "fan_out");
        this.consumed = Counter.builder("session.stream.records.consumed")
                .description(
                        "stream records this replica read from Kafka (its share of the group's partitions; a replica"
                                + " that starts or restarts resumes at the group's committed offsets, never at the retained start)")
                .register(meters);
    }

    /**
     * The record with its text in a form PostgreSQL can store (ADR 0014): runners encode what the
     * worker says already; this guard keeps a record from any other producer from failing the batch.
     */
    static AgentStreamRecord storable(AgentStreamRecord r) {
        JsonNode payload = r.payload() == null ? null : StoredText.guardTree(r.payload());
        String turn = StoredText.guard(r.turnId());
        String item = StoredText.guard(r.itemId());
        if (payload == r.payload() && turn == r.turnId() && item == r.itemId()) {
            return r;
        }
        return new AgentStreamRecord(
                r.recordId(),
                r.sessionId(),
                r.streamSeq(),
                r.kind(),
                turn,
                item,
                r.targetId(),
                r.at(),
                payload,
                r.fence());
    }

    @Incoming("agent-stream")
    public Uni<Void> consume(ConsumerRecords<String, byte[]> records) {
        consumed.increment(records.count());
        long receivedAt = System.nanoTime();
        long receivedMicros = RelayHops.epochMicros(receivedAt);
        for (ConsumerRecord<String, byte[]> record : records) {
            long sent = RelayHops.stamp(record.headers(), RelayHops.SENT);
            if (sent > 0 && receivedMicros >= sent) {
                sendToConsume.record(receivedMicros - sent, TimeUnit.MICROSECONDS);
            }
            long polled = RelayHops.stamp(record.headers(), RelayHops.POLLED);
            if (polled > 0 && receivedMicros >= polled) {
                pollToConsume.record(receivedMicros - polled, TimeUnit.MICROSECONDS);
                if (sent > 0 && polled >= sent) {
                    sendToPoll.record(polled - sent, TimeUnit.MICROSECONDS);
                }
            }
        }
        Map<UUID, List<AgentStreamRecord>> bySession = new LinkedHashMap<>();
        Map<AgentStreamRecord, ConsumerRecord<String, byte[]>> origin = new java.util.IdentityHashMap<>();
        List<DeadLetters.Rejected> rejected = new ArrayList<>();
        // a session's records of a traced turn: storing and handing them to viewers is one span of that trace
        Map<UUID, io.opentelemetry.api.trace.Span> traced = new LinkedHashMap<>();
        for (ConsumerRecord<String, byte[]> record : records) {
            try {
                EventEnvelope envelope = InboundEvents.envelope(record);
                Optional<DomainEvent> decoded = CloudEventCodec.decode(envelope);
                if (decoded.isEmpty() || !(decoded.get() instanceof AgentStreamRecord r)) {
                    throw new MalformedEventException("not an agent stream record: " + envelope.type());
                }
                // the session's first record of the batch decides (an invalid span when untraced: looked up once)
                traced.computeIfAbsent(r.sessionId(), session -> {
                    io.opentelemetry.api.trace.Span span = io.devopsconsole.platform.tracing.Traces.start(
                            "store and fan out stream records",
                            io.opentelemetry.api.trace.SpanKind.CONSUMER,
                            io.devopsconsole.platform.tracing.Traces.fromHeaders(record.headers()));
                    return span.setAttribute("devops.session_id", session.toString());
                });
                AgentStreamRecord safe = storable(r);
                bySession.computeIfAbsent(r.sessionId(), k -> new ArrayList<>()).add(safe);
                origin.put(safe, record);
            } catch (MalformedEventException | RuntimeException e) {
                rejected.add(new DeadLetters.Rejected(record, e.getMessage() == null ? e.toString() : e.getMessage()));
            }
        }
        if (bySession.isEmpty()) {
            return deadLetters.send(rejected);
        }
        String what = "storing " + records.count() + " stream records of " + bySession.size() + " sessions";
        java.util.Set<UUID> sessions = java.util.Set.copyOf(bySession.keySet());
        hub.storing(sessions);
        traced.forEach((session, span) -> span.setAttribute(
                "devops.records", bySession.getOrDefault(session, List.of()).size()));
        return Retries.untilStoredOrPoison(what, () -> store.storeAll(bySession))
                .eventually(() -> traced.values().forEach(io.opentelemetry.api.trace.Span::end))
                .invoke(stored -> {
                    long committed = System.nanoTime();
                    long took = committed - receivedAt;
                    for (int i = 0; i < records.count(); i++) {
                        consumeToCommit.record(took, TimeUnit.NANOSECONDS); // per record, as the other hops
                    }
                    batchStore.record(took, TimeUnit.NANOSECONDS);
                    delivered(stored);
                    batchFanOut.record(System.nanoTime() - committed, TimeUnit.NANOSECONDS);
                })
                .replaceWithVoid()
                .onFailure(Poison::isPoison)
                .recoverWithUni(f -> {
                    LOG.warnf(
                            "%s failed with a refused record (%s): storing session by session, record by record",
                            what, Poison.reason(f));
                    return isolate(bySession, origin, rejected);
                })
                .flatMap(v -> deadLetters.send(rejected))
                .onFailure()
                .retry()
                .withBackOff(Duration.ofMillis(200), Duration.ofSeconds(5))
                .indefinitely()
                .eventually(() -> hub.stored(sessions));
    }

    private void delivered(StreamStore.Stored stored) {
        // committed: this replica's viewers get the events now, without reading them back
        stored.entries().forEach(hub::delivered);
        if (!stored.unknown().isEmpty()) {
            LOG.warnf(
                    "dropped stream records of %d unknown session(s), e.g. %s",
                    stored.unknown().size(), stored.unknown().iterator().next());
        }
    }

    /**
     * A batch failed for its data: each session's share is stored on its own, and in a share that
     * still fails each record on its own; a record that cannot be stored goes to the dead-letter topic
     * and its place in the session's stream holds a visible error naming it, so that session's later
     * records and every other session go on. Transient failures still retry in place.
     */
    private Uni<Void> isolate(
            Map<UUID, List<AgentStreamRecord>> bySession,
            Map<AgentStreamRecord, ConsumerRecord<String, byte[]>> origin,
            List<DeadLetters.Rejected> rejected) {
        Uni<Void> work = Uni.createFrom().voidItem();
        for (Map.Entry<UUID, List<AgentStreamRecord>> share : bySession.entrySet()) {
            work = work.flatMap(v -> storeOrIsolate(share.getKey(), share.getValue(), origin, rejected));
        }
        return work;
    }

    private Uni<Void> storeOrIsolate(
            UUID session,
            List<AgentStreamRecord> records,
            Map<AgentStreamRecord, ConsumerRecord<String, byte[]>> origin,
            List<DeadLetters.Rejected> rejected) {
        return storeTransientlyRetried(session, records)
                .onFailure(Poison::isPoison)
                .recoverWithUni(f -> {
                    List<AgentStreamRecord> ordered = new ArrayList<>(records);
                    ordered.sort(java.util.Comparator.comparingLong(AgentStreamRecord::streamSeq));
                    Uni<Void> one = Uni.createFrom().voidItem();
                    for (AgentStreamRecord r : ordered) {
                        one = one.flatMap(v -> storeTransientlyRetried(session, List.of(r))
                                .onFailure(Poison::isPoison)
                                .recoverWithUni(bad -> {
                                    String reason = Poison.reason(bad);
                                    poisoned.increment();
                                    io.devopsconsole.platform.logging.SessionLogs.error(
                                            LOG,
                                            session,
                                            null,
                                            "stream record %d (%s) of session %s cannot be stored: %s",
                                            r.streamSeq(),
                                            r.kind().wire(),
                                            session,
                                            reason);
                                    ConsumerRecord<String, byte[]> from = origin.get(r);
                                    if (from != null) {
                                        rejected.add(new DeadLetters.Rejected(from, "cannot be stored: " + reason));
                                    }
                                    return storeTransientlyRetried(session, List.of(standIn(r, reason)))
                                            .onFailure(Poison::isPoison)
                                            .recoverWithItem(() -> null);
                                }));
                    }
                    return one;
                });
    }

    private Uni<Void> storeTransientlyRetried(UUID session, List<AgentStreamRecord> records) {
        return Retries.untilStoredOrPoison(
                        "storing " + records.size() + " stream records of session " + session,
                        () -> store.storeAll(Map.of(session, records)))
                .invoke(this::delivered)
                .replaceWithVoid();
    }

    /** What takes a poison record's place in its session's stream: an error saying which record and why. */
    static AgentStreamRecord standIn(AgentStreamRecord r, String reason) {
        ObjectNode payload = EventJson.mapper()
                .createObjectNode()
                .put(
                        "message",
                        "stream record " + r.streamSeq() + " (" + r.kind().wire() + ") could not be stored: "
                                + StoredText.guard(reason) + "; it was moved to the dead-letter topic")
                .put("source", "session-service")
                .put("dead_lettered_kind", r.kind().wire());
        // an id of its own (the record's may be what was refused), the same for every delivery of the record
        UUID id = UUID.nameUUIDFromBytes(("stand-in:" + r.sessionId() + ":" + r.streamSeq() + ":" + r.recordId())
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return new AgentStreamRecord(
                id,
                r.sessionId(),
                r.streamSeq(),
                StreamKind.ERROR,
                r.turnId(),
                r.itemId(),
                r.targetId(),
                null,
                payload,
                r.fence());
    }
}
