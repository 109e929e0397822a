package io.devopsconsole.events.agent;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * One thing a worker did, as the agent-runner relays it on {@code console.agent.stream.v1} (key =
 * session id). {@code recordId} is unique (redeliveries and re-sends after a reattach carry the
 * same id); {@code streamSeq} orders a session's records as the runner emitted them (1, 2, 3, ...);
 * {@code targetId} names the worker's target when a session runs on several. {@code fence} is the
 * ownership token of the runner that sent the record: it grows each time a runner takes a session
 * over, so records of an owner that was superseded are recognisable (and dropped), and numbers an
 * earlier owner reserved but never used are known never to arrive once a record with a higher
 * fence has. Null from runners that predate fencing. The payload is the kind's
 * {@link io.devopsconsole.events.agent.stream.StreamPayload} (read it with
 * {@link io.devopsconsole.events.agent.stream.StreamContract}). {@code at} is kept in UTC at
 * microsecond precision — what PostgreSQL stores — so a record sent live and the same record
 * replayed from storage are the same text.
 */
public record AgentStreamRecord(
        UUID recordId,
        UUID sessionId,
        long streamSeq,
        StreamKind kind,
        String turnId,
        String itemId,
        UUID targetId,
        OffsetDateTime at,
        JsonNode payload,
        Long fence)
        implements AgentStreamEvent {

    public AgentStreamRecord {
        at = at == null
                ? null
                : at.withOffsetSameInstant(java.time.ZoneOffset.UTC).truncatedTo(java.time.temporal.ChronoUnit.MICROS);
    }

    public AgentStreamRecord(
            UUID recordId,
            UUID sessionId,
            long streamSeq,
            StreamKind kind,
            String turnId,
            String itemId,
            UUID targetId,
            OffsetDateTime at,
            JsonNode payload) {
        this(recordId, sessionId, streamSeq, kind, turnId, itemId, targetId, at, payload, null);
    }

    public static final String TYPE = "io.devopsconsole.agent.stream.record.v1";

    @Override
    public String aggregateId() {
        return sessionId.toString();
    }

    @Override
    public String resourceType() {
        return "session";
    }

    @Override
    public String resourceName() {
        return kind.wire();
    }
}
