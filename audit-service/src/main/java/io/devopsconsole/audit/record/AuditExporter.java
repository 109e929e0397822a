package io.devopsconsole.audit.record;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.devopsconsole.events.EventJson;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/** Pages through a filter by cursor (one short session per page) and renders lines as it goes. */
@ApplicationScoped
public class AuditExporter {

    static final int PAGE = 1_000;
    static final String[] CSV_COLUMNS = {
        "seq",
        "id",
        "event_id",
        "time",
        "recorded_at",
        "source",
        "type",
        "actor",
        "action",
        "resource_type",
        "resource_id",
        "resource_name",
        "session_id",
        "risk",
        "summary",
        "redacted",
        "prev_hash",
        "hash",
        "details",
        "origin",
        "reported",
        "hash_version"
    };

    private final AuditRecordRepository records;

    public AuditExporter(AuditRecordRepository records) {
        this.records = records;
    }

    public Multi<String> export(AuditQuery filter, boolean csv) {
        Uni<String> header = Panache.withSession(records::chainHead).map(head -> header(head, csv));
        AtomicReference<Long> cursor = new AtomicReference<>();
        Multi<List<AuditRecord>> pages = Multi.createBy()
                .repeating()
                .uni(() ->
                        Panache.withSession(() -> records.detached(records.search(withCursor(filter, cursor.get())))))
                .whilst(page -> {
                    if (!page.isEmpty()) {
                        cursor.set(page.get(page.size() - 1).seq());
                    }
                    return page.size() == PAGE;
                });
        Multi<String> lines = pages.onItem().transformToIterable(page -> {
            List<String> out = new ArrayList<>(page.size());
            for (AuditRecord r : page) {
                out.add(csv ? csvLine(r) : jsonLine(r));
            }
            return out;
        });
        return Multi.createBy().concatenating().streams(header.toMulti(), lines);
    }

    private static AuditQuery withCursor(AuditQuery f, Long before) {
        return new AuditQuery(
                f.resourceType(),
                f.resourceId(),
                f.actor(),
                f.action(),
                f.risk(),
                f.sessionId(),
                f.text(),
                f.from(),
                f.to(),
                before,
                PAGE);
    }

    private static String header(AuditRecord head, boolean csv) {
        String exportedAt = OffsetDateTime.now(ZoneOffset.UTC).toString();
        if (csv) {
            return "# audit export " + exportedAt + "; chain head seq=" + (head == null ? "none" : head.seq())
                    + " hash=" + (head == null ? AuditChain.GENESIS : head.hash()) + "\n"
                    + String.join(",", CSV_COLUMNS);
        }
        ObjectNode meta = EventJson.mapper().createObjectNode().put("exported_at", exportedAt);
        ObjectNode chain = meta.putObject("chain_head");
        chain.put("seq", head == null ? null : head.seq());
        chain.put("hash", head == null ? AuditChain.GENESIS : head.hash());
        return meta.toString(); // the NDJSON writer ends every element with a newline
    }

    private static String jsonLine(AuditRecord r) {
        try {
            ObjectNode node = (ObjectNode) EventJson.mapper().valueToTree(AuditRecordResponse.of(r));
            node.put("seq", r.seq())
                    .put("redacted", r.redacted())
                    .put("prev_hash", r.prevHash())
                    .put("hash", r.hash())
                    .put("hash_version", r.hashVersion());
            return EventJson.mapper().writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String csvLine(AuditRecord r) {
        Object[] values = {
            r.seq(),
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
            r.redacted(),
            r.prevHash(),
            r.hash(),
            r.details(),
            r.origin(),
            r.reported(),
            r.hashVersion()
        };
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < values.length; i++) {
            if (i > 0) {
                line.append(',');
            }
            line.append(csvField(values[i] == null ? "" : values[i].toString()));
        }
        return line.toString(); // the stream writer ends every element with a newline
    }

    /** RFC 4180 quoting, and a leading quote for cells a spreadsheet would run as formulas. */
    static String csvField(String value) {
        String v = !value.isEmpty() && "=+-@".indexOf(value.charAt(0)) >= 0 ? "'" + value : value;
        if (v.contains(",") || v.contains("\"") || v.contains("\n") || v.contains("\r")) {
            return "\"" + v.replace("\"", "\"\"") + "\"";
        }
        return v;
    }
}
