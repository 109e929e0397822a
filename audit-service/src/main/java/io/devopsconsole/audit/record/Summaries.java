package io.devopsconsole.audit.record;

import io.devopsconsole.events.DomainEvent;
import io.devopsconsole.events.EventEnvelope;
import io.devopsconsole.events.registry.ProjectArchived;
import io.devopsconsole.events.registry.ProjectCreated;
import io.devopsconsole.events.registry.ProjectUpdated;

import java.util.Optional;

/** The operator-facing sentence of each event type. */
final class Summaries {

    private Summaries() {
    }

    static String of(EventEnvelope envelope, Optional<DomainEvent> decoded) {
        String who = envelope.actor();
        if (decoded.isEmpty()) {
            return who + " caused " + envelope.type() + " on " + envelope.subject();
        }
        DomainEvent event = decoded.get();
        if (event instanceof ProjectCreated e) {
            return who + " created project " + e.slug() + " (\"" + e.name() + "\") working in " + e.defaultWorkingDirectory();
        }
        if (event instanceof ProjectUpdated e) {
            return who + " changed " + String.join(", ", e.changedFields()) + " of project " + e.slug();
        }
        if (event instanceof ProjectArchived e) {
            return who + " archived project " + e.slug();
        }
        throw new IllegalStateException("no audit summary for catalogued event " + event.getClass().getName());
    }

    /** "io.devopsconsole.registry.project.created.v1" → "project.created". */
    static String action(String type) {
        String[] parts = type.split("\\.");
        return parts.length >= 4 ? parts[parts.length - 3] + "." + parts[parts.length - 2] : type;
    }

    /** "io.devopsconsole.registry.project.created.v1" → "project". */
    static String resourceType(String type) {
        String[] parts = type.split("\\.");
        return parts.length >= 4 ? parts[parts.length - 3] : "unknown";
    }
}
