package io.devopsconsole.events.registry;

import java.util.UUID;

/** A project was archived: it keeps its history but takes no new sessions. */
public record ProjectArchived(UUID projectId, String slug, String name, long version) implements ProjectEvent {

    public static final String TYPE = "io.devopsconsole.registry.project.archived.v1";
}
