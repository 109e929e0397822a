package io.devopsconsole.audit.record;

import com.fasterxml.jackson.databind.JsonNode;
import io.devopsconsole.events.EventJson;

import java.io.IOException;
import java.io.UncheckedIOException;
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
        JsonNode details) {

    static AuditRecordResponse of(AuditRecord r) {
        try {
            return new AuditRecordResponse(r.id(), r.eventId(), r.eventTime(), r.recordedAt(), r.source(), r.type(),
                    r.actor(), r.action(), r.resourceType(), r.resourceId(), r.resourceName(), r.sessionId(), r.risk(),
                    r.summary(), EventJson.mapper().readTree(r.details()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One page, newest first; pass {@code next_cursor} as {@code cursor} for the next (older) page. */
    public record Page(List<AuditRecordResponse> items, String nextCursor) {
    }
}
