package io.devopsconsole.events.registry;

import java.util.UUID;

/** A project was registered. */
public record ProjectCreated(
        UUID projectId, String slug, String name, String description, String defaultWorkingDirectory, long version)
        implements ProjectEvent {

    public static final String TYPE = "io.devopsconsole.registry.project.created.v1";
}
