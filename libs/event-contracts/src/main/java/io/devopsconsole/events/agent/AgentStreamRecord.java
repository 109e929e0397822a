package io.devopsconsole.events.agent;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * One thing a worker did, as the agent-runner relays it on {@code console.agent.stream.v1} (key =
 * session id). {@code recordId} is unique (redeliveries and re-sends after a reattach carry the
 * same id); {@code streamSeq} orders a session's records as the runner emitted them (1, 2, 3, ...);
 * {@code targetId} names the worker's target when a session runs on several. The payload's
 * fields depend on {@link StreamKind}.
 */
public record AgentStreamRecord(UUID recordId, UUID sessionId, long streamSeq, StreamKind kind, String turnId,
                                String itemId, UUID targetId, OffsetDateTime at, JsonNode payload)
        implements AgentStreamEvent {

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
