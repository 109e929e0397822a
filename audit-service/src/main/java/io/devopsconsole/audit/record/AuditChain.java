package io.devopsconsole.audit.record;

import com.fasterxml.jackson.core.JsonGenerator;
import io.devopsconsole.events.EventJson;
import java.io.IOException;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.OffsetDateTime;
import java.util.HexFormat;

/**
 * The hash chain over audit records: {@code hash = SHA-256(canonical form)}, where the canonical
 * form is a JSON array of the record's stored fields in a fixed order (times as UTC instants)
 * ending with the predecessor's hash. Form 2 (every record stored since ADR 0018) starts with the
 * form number, the record id, the reported claims and the redaction flag; form 1 (older records)
 * lacks those four. Changing, deleting or reordering a stored record breaks
 * the chain at that record.
 */
public final class AuditChain {

    /** The predecessor of the very first chained record. */
    public static final String GENESIS = "0".repeat(64);

    private AuditChain() {}

    /** The canonical form new records are hashed in. */
    public static final short VERSION = 2;

    public static String hash(AuditRecord r, String prevHash) {
        // streamed straight into the digest: the same bytes as the JSON array, without building it
        MessageDigest digest = sha256();
        try (JsonGenerator json = EventJson.mapper().getFactory().createGenerator(new DigestOutput(digest))) {
            json.writeStartArray();
            if (r.hashVersion() >= 2) {
                // form 2 (ADR 0018) covers every stored field: the form itself, the record id, what an outside
                // producer reported and the redaction flag, as well as everything form 1 covered
                json.writeNumber(r.hashVersion());
                json.writeString(r.id().toString());
                json.writeString(r.reported());
                json.writeBoolean(r.redacted());
            }
            json.writeString(r.eventId().toString());
            json.writeString(instant(r.eventTime()));
            json.writeString(instant(r.recordedAt()));
            for (String text : new String[] {
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
                r.topic()
            }) {
                json.writeString(text); // null is written as null
            }
            if (r.kafkaPartition() == null) {
                json.writeNull();
            } else {
                json.writeNumber(r.kafkaPartition());
            }
            if (r.kafkaOffset() == null) {
                json.writeNull();
            } else {
                json.writeNumber(r.kafkaOffset());
            }
            json.writeString(prevHash);
            json.writeEndArray();
        } catch (IOException e) {
            throw new IllegalStateException("cannot hash an audit record", e);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final class DigestOutput extends OutputStream {
        private final MessageDigest digest;

        DigestOutput(MessageDigest digest) {
            this.digest = digest;
        }

        @Override
        public void write(int b) {
            digest.update((byte) b);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            digest.update(b, off, len);
        }
    }

    private static String instant(OffsetDateTime time) {
        return time.toInstant().toString();
    }
}
