package io.devopsconsole.events.registry;

import java.util.List;
import java.util.UUID;

/** A project's attributes changed; {@code changedFields} names which, the other fields are the new state. */
public record ProjectUpdated(
        UUID projectId,
        String slug,
        String name,
        String description,
        String defaultWorkingDirectory,
        long version,
        List<String> changedFields)
        implements ProjectEvent {

    public static final String TYPE = "io.devopsconsole.registry.project.updated.v1";

    public ProjectUpdated {
        changedFields = List.copyOf(changedFields);
    }
}
