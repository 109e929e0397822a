package io.devopsconsole.session.transcript;

import com.fasterxml.jackson.annotation.JsonRawValue;
import io.vertx.mutiny.sqlclient.Row;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

/**
 * One transcript event: {@code seq} orders the session's events without gaps (it is the SSE id);
 * {@code body} is the kind's JSON payload.
 */
public record TranscriptEntry(
        long seq,
        UUID id,
        String kind,
        String actor,
        String turnId,
        String itemId,
        UUID targetId,
        Long streamSeq,
        OffsetDateTime at,

        @org.eclipse.microprofile.openapi.annotations.media.Schema(
                type = org.eclipse.microprofile.openapi.annotations.enums.SchemaType.OBJECT,
                description = "The entry's body (a JSON object; its fields depend on `kind`).")
        @JsonRawValue
        String body) {

    static final String COLUMNS = "seq, id, kind, actor, turn_id, item_id, target_id, stream_seq, created_at, body";

    static TranscriptEntry of(Row r) {
        return new TranscriptEntry(
                r.getLong("seq"),
                r.getUUID("id"),
                r.getString("kind"),
                r.getString("actor"),
                r.getString("turn_id"),
                r.getString("item_id"),
                r.getUUID("target_id"),
                r.getLong("stream_seq"),
                r.getOffsetDateTime("created_at"),
                r.getString("body"));
    }

    /** A page of the transcript in seq order; pass {@code next_after} as {@code after} for the next. */
    public record Page(List<TranscriptEntry> items, Long nextAfter) {}
}
