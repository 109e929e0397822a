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
 * ending with the predecessor's hash. Changing, deleting or reordering a stored record breaks
 * the chain at that record.
 */
public final class AuditChain {

    /** The predecessor of the very first chained record. */
    public static final String GENESIS = "0".repeat(64);

    private AuditChain() {
    }

    public static String hash(AuditRecord r, String prevHash) {
        // streamed straight into the digest: the same bytes as the JSON array, without building it
        MessageDigest digest = sha256();
        try (JsonGenerator json = EventJson.mapper().getFactory().createGenerator(new DigestOutput(digest))) {
            json.writeStartArray();
            json.writeString(r.eventId().toString());
            json.writeString(instant(r.eventTime()));
            json.writeString(instant(r.recordedAt()));
            for (String text : new String[]{r.source(), r.type(), r.actor(), r.action(), r.resourceType(),
                    r.resourceId(), r.resourceName(), r.sessionId(), r.risk(), r.summary(), r.details(), r.topic()}) {
                json.writeString(text);   // null is written as null
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
