package io.devopsconsole.events.registry;

import java.util.UUID;

/** A project was archived: it keeps its history but takes no new sessions. */
public record ProjectArchived(
        UUID projectId,
        String slug,
        String name,
        long version) implements RegistryEvent {

    public static final String TYPE = "io.devopsconsole.registry.project.archived.v1";

    @Override
    public String aggregateId() {
        return projectId.toString();
    }

    @Override
    public String resourceType() {
        return "project";
    }

    @Override
    public String resourceName() {
        return slug;
    }
}
