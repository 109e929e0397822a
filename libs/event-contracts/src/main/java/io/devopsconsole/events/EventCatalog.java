package io.devopsconsole.events;

import io.devopsconsole.events.registry.ProjectArchived;
import io.devopsconsole.events.registry.ProjectCreated;
import io.devopsconsole.events.registry.ProjectUpdated;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The closed list of event types: CloudEvent type name, record class and topic. Adding an event
 * means adding its record under its domain's sealed interface and one line here; the catalogue
 * test fails when a permitted record is missing.
 */
public final class EventCatalog {

    /** One event type. */
    public record Entry(String type, Class<? extends DomainEvent> recordClass, String topic) {
    }

    private static final Map<String, Entry> BY_TYPE = new LinkedHashMap<>();
    private static final Map<Class<?>, Entry> BY_CLASS = new LinkedHashMap<>();

    static {
        register(ProjectCreated.TYPE, ProjectCreated.class, Topics.REGISTRY);
        register(ProjectUpdated.TYPE, ProjectUpdated.class, Topics.REGISTRY);
        register(ProjectArchived.TYPE, ProjectArchived.class, Topics.REGISTRY);
    }

    private EventCatalog() {
    }

    private static void register(String type, Class<? extends DomainEvent> recordClass, String topic) {
        Entry entry = new Entry(type, recordClass, topic);
        BY_TYPE.put(type, entry);
        BY_CLASS.put(recordClass, entry);
    }

    public static Optional<Entry> byType(String type) {
        return Optional.ofNullable(BY_TYPE.get(type));
    }

    public static Entry of(DomainEvent event) {
        Entry entry = BY_CLASS.get(event.getClass());
        if (entry == null) {
            throw new IllegalArgumentException("event class " + event.getClass().getName() + " is not in the catalogue");
        }
        return entry;
    }

    public static Iterable<Entry> entries() {
        return BY_TYPE.values();
    }
}
