package io.devopsconsole.registry.project;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

/** A project as the API shows it. */
public record ProjectResponse(
        UUID id,
        String slug,
        String name,
        String description,
        String defaultWorkingDirectory,
        boolean archived,
        OffsetDateTime archivedAt,
        OffsetDateTime createdAt,
        String createdBy,
        OffsetDateTime updatedAt,
        String updatedBy,
        long version) {

    static ProjectResponse of(Project p) {
        return new ProjectResponse(
                p.id(),
                p.slug(),
                p.name(),
                p.description(),
                p.defaultWorkingDirectory(),
                p.archived(),
                p.archivedAt(),
                p.createdAt(),
                p.createdBy(),
                p.updatedAt(),
                p.updatedBy(),
                p.version());
    }

    /** One page of projects, ordered by slug. */
    public record Page(List<ProjectResponse> items, int page, int size, long total) {}
}
