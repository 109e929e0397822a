package io.devopsconsole.audit.record;

import io.devopsconsole.platform.text.StoredText;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;
import java.util.UUID;

/** One immutable audit record: what happened, to what, by whom, when, in operator-facing words. */
@Entity
@Table(name = "audit_record")
public class AuditRecord {

    @Id
    private UUID id;

    @Column(insertable = false, updatable = false)
    private Long seq;

    @Column(name = "event_id", nullable = false, updatable = false)
    private UUID eventId;

    @Column(name = "event_time", nullable = false, updatable = false)
    private OffsetDateTime eventTime;

    @Column(name = "recorded_at", nullable = false, updatable = false)
    private OffsetDateTime recordedAt;

    @Column(nullable = false, updatable = false)
    private String source;

    @Column(nullable = false, updatable = false)
    private String type;

    @Column(nullable = false, updatable = false)
    private String actor;

    @Column(nullable = false, updatable = false)
    private String action;

    @Column(name = "resource_type", nullable = false, updatable = false)
    private String resourceType;

    @Column(name = "resource_id", nullable = false, updatable = false)
    private String resourceId;

    @Column(name = "resource_name", updatable = false)
    private String resourceName;

    @Column(name = "session_id", updatable = false)
    private String sessionId;

    @Column(updatable = false)
    private String risk;

    @Column(nullable = false, updatable = false)
    private String summary;

    @Column(nullable = false, updatable = false)
    private String details;

    @Column(nullable = false, updatable = false)
    private String topic;

    @Column(name = "kafka_partition", updatable = false)
    private Integer kafkaPartition;

    @Column(name = "kafka_offset", updatable = false)
    private Long kafkaOffset;

    @Column(nullable = false, updatable = false)
    private boolean redacted;

    /** The canonical form the hash covers ({@link AuditChain}): 1 for records stored before ADR 0018, 2 since. */
    @Column(name = "hash_version", nullable = false, updatable = false)
    private short hashVersion;

    /** What an outside producer claimed and the service did not take as the record's own (a JSON object), or null. */
    @Column(updatable = false)
    private String reported;

    @Column(name = "prev_hash", updatable = false)
    private String prevHash;

    @Column(updatable = false)
    private String hash;

    protected AuditRecord() {}

    /**
     * Every text field is kept in a form PostgreSQL stores exactly (ADR 0014), so the hash, computed
     * over these fields, is the hash of what is stored: an unpaired surrogate would otherwise be
     * hashed as itself and stored as {@code ?}, and the chain would break at this record.
     */
    AuditRecord(
            UUID eventId,
            OffsetDateTime eventTime,
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
            String details,
            boolean redacted,
            String topic,
            Integer kafkaPartition,
            Long kafkaOffset) {
        this(
                eventId,
                eventTime,
                recordedAt,
                source,
                type,
                actor,
                action,
                resourceType,
                resourceId,
                resourceName,
                sessionId,
                risk,
                summary,
                details,
                redacted,
                topic,
                kafkaPartition,
                kafkaOffset,
                null);
    }

    AuditRecord(
            UUID eventId,
            OffsetDateTime eventTime,
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
            String details,
            boolean redacted,
            String topic,
            Integer kafkaPartition,
            Long kafkaOffset,
            String reported) {
        this.id = UUID.randomUUID();
        this.hashVersion = AuditChain.VERSION;
        this.reported = StoredText.guard(reported);
        this.eventId = eventId;
        this.eventTime = eventTime.truncatedTo(java.time.temporal.ChronoUnit.MICROS);
        this.recordedAt = recordedAt;
        this.source = StoredText.guard(source);
        this.type = StoredText.guard(type);
        this.actor = StoredText.guard(actor);
        this.action = StoredText.guard(action);
        this.resourceType = StoredText.guard(resourceType);
        this.resourceId = StoredText.guard(resourceId);
        this.resourceName = StoredText.guard(resourceName);
        this.sessionId = StoredText.guard(sessionId);
        this.risk = StoredText.guard(risk);
        this.summary = StoredText.guard(summary);
        this.details = StoredText.guard(details);
        this.redacted = redacted;
        this.topic = StoredText.guard(topic);
        this.kafkaPartition = kafkaPartition;
        this.kafkaOffset = kafkaOffset;
    }

    /** This record as one with {@code id}, hashed in canonical form {@code version} (the canonical-form tests). */
    AuditRecord as(UUID id, short version) {
        this.id = id;
        this.hashVersion = version;
        return this;
    }

    /** The position the database gave the stored record. */
    void stored(long seq) {
        this.seq = seq;
    }

    /** Links this record after {@code prevHash} (called once, just before it is stored). */
    void chain(String prevHash) {
        this.prevHash = prevHash;
        this.hash = AuditChain.hash(this, prevHash);
    }

    public String prevHash() {
        return prevHash;
    }

    public short hashVersion() {
        return hashVersion;
    }

    public String reported() {
        return reported;
    }
    /** Posted through the API by an outside producer ("api"), or recorded by the console from its own events ("console"). */
    public String origin() {
        return originOf(topic);
    }

    /** The origin a record of this topic column has: posted through the API, or the console's own event. */
    static String originOf(String topic) {
        return AuditService.API_TOPIC.equals(topic) ? "api" : "console";
    }

    public String hash() {
        return hash;
    }

    public String topic() {
        return topic;
    }

    public Integer kafkaPartition() {
        return kafkaPartition;
    }

    public Long kafkaOffset() {
        return kafkaOffset;
    }

    public boolean redacted() {
        return redacted;
    }

    public UUID id() {
        return id;
    }

    public Long seq() {
        return seq;
    }

    public UUID eventId() {
        return eventId;
    }

    public OffsetDateTime eventTime() {
        return eventTime;
    }

    public OffsetDateTime recordedAt() {
        return recordedAt;
    }

    public String source() {
        return source;
    }

    public String type() {
        return type;
    }

    public String actor() {
        return actor;
    }

    public String action() {
        return action;
    }

    public String resourceType() {
        return resourceType;
    }

    public String resourceId() {
        return resourceId;
    }

    public String resourceName() {
        return resourceName;
    }

    public String sessionId() {
        return sessionId;
    }

    public String risk() {
        return risk;
    }

    public String summary() {
        return summary;
    }

    public String details() {
        return details;
    }
}
