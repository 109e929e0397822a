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

    protected OutboxEvent() {
    }

    OutboxEvent(UUID eventId, String topic, String messageKey, String type, String source, OffsetDateTime time,
                String actor, String extensions, byte[] data) {
        this.eventId = eventId;
        this.topic = topic;
        this.messageKey = messageKey;
        this.type = type;
        this.source = source;
        this.time = time;
        this.actor = actor;
        this.extensions = extensions;
        this.data = data;
    }

    public UUID eventId() {
        return eventId;
    }

    public String topic() {
        return topic;
    }
}
