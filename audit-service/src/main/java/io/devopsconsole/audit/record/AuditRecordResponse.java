package io.devopsconsole.audit.record;

import com.fasterxml.jackson.annotation.JsonRawValue;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

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
        @JsonRawValue String details) {

    static AuditRecordResponse of(AuditRecord r) {
        // details are stored as the JSON text the service wrote (an object): passed through, not re-parsed
        return new AuditRecordResponse(r.id(), r.eventId(), r.eventTime(), r.recordedAt(), r.source(), r.type(),
                r.actor(), r.action(), r.resourceType(), r.resourceId(), r.resourceName(), r.sessionId(), r.risk(),
                r.summary(), r.details());
    }

    /** One page, newest first; pass {@code next_cursor} as {@code cursor} for the next (older) page. */
    public record Page(List<AuditRecordResponse> items, String nextCursor) {
    }
}
