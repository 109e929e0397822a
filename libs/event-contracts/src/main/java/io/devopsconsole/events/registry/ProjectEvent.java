package io.devopsconsole.events.registry;

import java.util.UUID;

/** The events of one project; the project id is the aggregate id and the slug its audit name. */
public sealed interface ProjectEvent extends RegistryEvent permits ProjectCreated, ProjectUpdated, ProjectArchived {

    UUID projectId();

    String slug();

    @Override
    default String aggregateId() {
        return projectId().toString();
    }

    @Override
    default String resourceType() {
        return "project";
    }

    @Override
    default String resourceName() {
        return slug();
    }
}
