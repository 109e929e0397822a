package io.devopsconsole.audit.record;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.devopsconsole.events.EventJson;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.OffsetDateTime;
import java.util.HexFormat;

/**
 * The hash chain over audit records: {@code hash = SHA-256(canonical form)}, where the canonical
 * form is a JSON array of the record's stored fields in a fixed order (times as UTC instants)
 * ending with the predecessor's hash. Changing, deleting or reordering a stored record breaks
 * the chain at that record.
 */
public final class AuditChain {

    /** The predecessor of the very first chained record. */
    public static final String GENESIS = "0".repeat(64);

    private AuditChain() {
    }

    public static String hash(AuditRecord r, String prevHash) {
        ArrayNode canonical = EventJson.mapper().createArrayNode()
                .add(r.eventId().toString())
                .add(instant(r.eventTime()))
                .add(instant(r.recordedAt()))
                .add(r.source()).add(r.type()).add(r.actor()).add(r.action())
                .add(r.resourceType()).add(r.resourceId()).add(r.resourceName())
                .add(r.sessionId()).add(r.risk()).add(r.summary()).add(r.details())
                .add(r.topic()).add(r.kafkaPartition()).add(r.kafkaOffset())
                .add(prevHash);
        try {
            byte[] bytes = EventJson.mapper().writeValueAsBytes(canonical);
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (JsonProcessingException | NoSuchAlgorithmException e) {
            throw new IllegalStateException("cannot hash an audit record", e);
        }
    }

    private static String instant(OffsetDateTime time) {
        return time.toInstant().toString();
    }
}
