package io.devopsconsole.audit.record;

import com.fasterxml.jackson.annotation.JsonRawValue;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** An audit record as the API shows it. */
public record AuditRecordResponse(
        UUID id,
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

        @Schema(type = SchemaType.OBJECT, description = "The event's redacted details (a JSON object).") @JsonRawValue
        String details,

        @Schema(
                description = "api: posted through the API by an outside producer (its source, actor and time set by"
                        + " the service); console: recorded from the console's own events",
                enumeration = {"api", "console"})
        String origin,

        @Schema(
                description = "What an outside producer claimed (its source, time) and the service did not take as the"
                        + " record's own; null when nothing was claimed",
                type = SchemaType.OBJECT)
        @JsonRawValue
        String reported,

        @Schema(description = "Whether secret-looking values were replaced before the record was stored")
        boolean redacted) {

    static AuditRecordResponse of(AuditRecord r) {
        // details are stored as the JSON text the service wrote (an object): passed through, not re-parsed
        return new AuditRecordResponse(
                r.id(),
                r.eventId(),
                r.eventTime(),
                r.recordedAt(),
                r.source(),
                r.type(),
                r.actor(),
                r.action(),
                r.resourceType(),
                r.resourceId(),
                r.resourceName(),
                r.sessionId(),
                r.risk(),
                r.summary(),
                r.details(),
                r.origin(),
                r.reported(),
                r.redacted());
    }

    /** One page, newest first; pass {@code next_cursor} as {@code cursor} for the next (older) page. */
    public record Page(List<AuditRecordResponse> items, String nextCursor) {}
}
