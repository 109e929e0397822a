package io.devopsconsole.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The one converter between domain event records and CloudEvents in Kafka binary content mode:
 * attributes travel as {@code ce_*} headers, the data is the record value, the key is the
 * aggregate id.
 */
public final class CloudEventCodec {

    public static final String HEADER_PREFIX = "ce_";
    public static final String CONTENT_TYPE_HEADER = "content-type";
    public static final String ACTOR = "actor";
    public static final String SESSION_ID = "sessionid";
    public static final String RISK = "risk";

    private static final Pattern EXTENSION_NAME = Pattern.compile("[a-z0-9]{1,20}");
    private static final String[] CORE = {"specversion", "id", "source", "type", "subject", "time"};

    private CloudEventCodec() {}

    /** Wraps a domain event into an envelope stamped with who caused it. */
    public static EventEnvelope wrap(
            DomainEvent event, String source, String actor, OffsetDateTime time, Map<String, String> extensions) {
        return wrap(UUID.randomUUID(), event, source, actor, time, extensions);
    }

    /**
     * Wraps with a chosen id: a producer that may publish the same fact twice (a relay that
     * re-sends after a crash) keeps the id stable so consumers can drop the repeat.
     */
    public static EventEnvelope wrap(
            UUID id,
            DomainEvent event,
            String source,
            String actor,
            OffsetDateTime time,
            Map<String, String> extensions) {
        EventCatalog.Entry entry = EventCatalog.of(event);
        return new EventEnvelope(id, source, entry.type(), event.aggregateId(), time, actor, extensions, toJson(event));
    }

    public static byte[] toJson(DomainEvent event) {
        try {
            return EventJson.mapper().writeValueAsBytes(event);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("event " + event.getClass().getSimpleName() + " is not serializable", e);
        }
    }

    /** The Kafka headers of an envelope in binary content mode, in a stable order. */
    public static Map<String, byte[]> toKafkaHeaders(EventEnvelope envelope) {
        Map<String, byte[]> headers = new LinkedHashMap<>();
        put(headers, "specversion", EventEnvelope.SPEC_VERSION);
        put(headers, "id", envelope.id().toString());
        put(headers, "source", envelope.source());
        put(headers, "type", envelope.type());
        put(headers, "subject", envelope.subject());
        put(headers, "time", envelope.time().toString());
        put(headers, ACTOR, envelope.actor());
        envelope.extensions().forEach((name, value) -> {
            if (!EXTENSION_NAME.matcher(name).matches() || isReserved(name)) {
                throw new IllegalArgumentException("invalid CloudEvent extension name '" + name + "'");
            }
            put(headers, name, value);
        });
        headers.put(CONTENT_TYPE_HEADER, EventEnvelope.DATA_CONTENT_TYPE.getBytes(StandardCharsets.UTF_8));
        return headers;
    }

    /** Reads an envelope back from Kafka headers (last value of a repeated header wins) and the record value. */
    public static EventEnvelope fromKafka(Iterable<Map.Entry<String, byte[]>> headers, byte[] value)
            throws MalformedEventException {
        Map<String, String> attributes = new LinkedHashMap<>();
        for (Map.Entry<String, byte[]> header : headers) {
            String key = header.getKey();
            if (key != null && key.startsWith(HEADER_PREFIX) && header.getValue() != null) {
                attributes.put(
                        key.substring(HEADER_PREFIX.length()), new String(header.getValue(), StandardCharsets.UTF_8));
            }
        }
        String specVersion = attributes.get("specversion");
        if (!EventEnvelope.SPEC_VERSION.equals(specVersion)) {
            throw new MalformedEventException("not a CloudEvent 1.0 record (ce_specversion=" + specVersion + ")");
        }
        if (value == null) {
            throw new MalformedEventException("CloudEvent without data");
        }
        try {
            Map<String, String> extensions = new LinkedHashMap<>();
            attributes.forEach((name, v) -> {
                if (!isReserved(name) && !ACTOR.equals(name)) {
                    extensions.put(name, v);
                }
            });
            return new EventEnvelope(
                    UUID.fromString(required(attributes, "id")),
                    required(attributes, "source"),
                    required(attributes, "type"),
                    required(attributes, "subject"),
                    OffsetDateTime.parse(required(attributes, "time")),
                    required(attributes, ACTOR),
                    extensions,
                    value);
        } catch (IllegalArgumentException | DateTimeParseException e) {
            throw new MalformedEventException("invalid CloudEvent attribute: " + e.getMessage(), e);
        }
    }

    /**
     * The domain record inside an envelope, or empty when the type is not one this build knows (a
     * newer producer); a known type whose data does not parse is malformed.
     */
    public static Optional<DomainEvent> decode(EventEnvelope envelope) throws MalformedEventException {
        Optional<EventCatalog.Entry> entry = EventCatalog.byType(envelope.type());
        if (entry.isEmpty()) {
            return Optional.empty();
        }
        try {
            DomainEvent event =
                    EventJson.mapper().readValue(envelope.data(), entry.get().recordClass());
            if (!event.aggregateId().equals(envelope.subject())) {
                throw new MalformedEventException("subject " + envelope.subject()
                        + " does not match the event's aggregate " + event.aggregateId());
            }
            return Optional.of(event);
        } catch (IOException | RuntimeException e) {
            throw new MalformedEventException("data of " + envelope.type() + " does not parse: " + e.getMessage(), e);
        }
    }

    private static boolean isReserved(String name) {
        for (String core : CORE) {
            if (core.equals(name)) {
                return true;
            }
        }
        return "datacontenttype".equals(name) || "dataschema".equals(name);
    }

    private static String required(Map<String, String> attributes, String name) {
        String value = attributes.get(name);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("ce_" + name + " is missing");
        }
        return value;
    }

    private static void put(Map<String, byte[]> headers, String name, String value) {
        headers.put(HEADER_PREFIX + name, value.getBytes(StandardCharsets.UTF_8));
    }
}
