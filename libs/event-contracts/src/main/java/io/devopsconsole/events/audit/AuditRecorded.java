package io.devopsconsole.events.audit;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * One stored audit record, normalized and redacted, as outside consumers receive it. The key is
 * the resource id, so one resource's records stay in order; {@code hash} is its link in the chain.
 */
public record AuditRecorded(
        UUID recordId,
        UUID eventId,
        OffsetDateTime time,
        OffsetDateTime recordedAt,
        String source,
        String type,
        String actor,
        String action,
        String resourceType,
        String resourceId,
        String resourceName,
        String sessionId,
        String risk,
        String summary,
        JsonNode details,
        boolean redacted,
        String hash) implements AuditEvent {

    public static final String TYPE = "io.devopsconsole.audit.record.recorded.v1";

    @Override
    public String aggregateId() {
        return resourceId;
    }
}
