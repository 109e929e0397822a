package io.devopsconsole.events;

import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * A CloudEvent 1.0 with JSON data, as it travels between services. The extensions this project
 * uses are {@code actor} (always), {@code sessionid} and {@code risk} (where they apply).
 */
public record EventEnvelope(
        UUID id,
        String source,
        String type,
        String subject,
        OffsetDateTime time,
        String actor,
        Map<String, String> extensions,
        byte[] data) {

    public static final String SPEC_VERSION = "1.0";
    public static final String DATA_CONTENT_TYPE = "application/json";

    public EventEnvelope {
        Objects.requireNonNull(id, "id");
        requireText(source, "source");
        requireText(type, "type");
        requireText(subject, "subject");
        Objects.requireNonNull(time, "time");
        requireText(actor, "actor");
        extensions = extensions == null ? Map.of() : Map.copyOf(extensions);
        Objects.requireNonNull(data, "data");
    }

    private static void requireText(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("CloudEvent attribute '" + name + "' is required");
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EventEnvelope other
                && id.equals(other.id)
                && source.equals(other.source)
                && type.equals(other.type)
                && subject.equals(other.subject)
                && time.isEqual(other.time)
                && actor.equals(other.actor)
                && extensions.equals(other.extensions)
                && Arrays.equals(data, other.data);
    }

    @Override
    public int hashCode() {
        return id.hashCode();
    }

    @Override
    public String toString() {
        return "EventEnvelope[id=" + id + ", type=" + type + ", subject=" + subject + ", actor=" + actor + "]";
    }
}
