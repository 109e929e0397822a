package io.devopsconsole.platform.outbox;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * One event waiting to be published: written in the same transaction as the state change it
 * announces. Every service's baseline migration creates this table in its own schema.
 */
@Entity
@Table(name = "outbox_event")
public class OutboxEvent {

    @Id
    @Column(name = "event_id")
    private UUID eventId;

    @Column(name = "topic", nullable = false)
    private String topic;

    @Column(name = "message_key", nullable = false)
    private String messageKey;

    @Column(name = "ce_type", nullable = false)
    private String type;

    @Column(name = "ce_source", nullable = false)
    private String source;

    @Column(name = "ce_time", nullable = false)
    private OffsetDateTime time;

    @Column(name = "actor", nullable = false)
    private String actor;

    /** CloudEvent extensions as a JSON object of strings. */
    @Column(name = "extensions", nullable = false)
    private String extensions;

    @Column(name = "data", nullable = false)
    private byte[] data;

    protected OutboxEvent() {}

    @jakarta.persistence.Transient
    private io.devopsconsole.events.EventEnvelope envelope;

    OutboxEvent(io.devopsconsole.events.EventEnvelope envelope, String topic, String extensionsJson) {
        this.envelope = envelope;
        this.eventId = envelope.id();
        this.topic = topic;
        this.messageKey = envelope.subject();
        this.type = envelope.type();
        this.source = envelope.source();
        this.time = envelope.time();
        this.actor = envelope.actor();
        this.extensions = extensionsJson;
        this.data = envelope.data();
    }

    io.devopsconsole.events.EventEnvelope envelope() {
        return envelope;
    }

    public UUID eventId() {
        return eventId;
    }

    public String topic() {
        return topic;
    }
}
