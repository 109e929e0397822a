package io.devopsconsole.events.audit;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * One stored audit record, normalized and redacted, as outside consumers receive it. The key is
 * the resource id, so one resource's records stay in order; {@code hash} is its link in the chain
 * and {@code prevHash} the link it names, so a consumer that keeps the feed sees a record missing
 * from it (every record names the one before). {@code origin} is {@code api} for events an outside
 * producer posted (source, actor and time set by the console; its own claims in {@code reported})
 * and {@code console} for the console's own.
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
        String hash,
        String prevHash,
        String origin,
        JsonNode reported)
        implements AuditEvent {

    public static final String TYPE = "io.devopsconsole.audit.record.recorded.v1";

    public AuditRecorded {
        // JSON null reads as a NullNode: nothing reported is null, whichever way it arrived
        reported = reported == null || reported.isNull() ? null : reported;
    }

    @Override
    public String aggregateId() {
        return resourceId;
    }
}
