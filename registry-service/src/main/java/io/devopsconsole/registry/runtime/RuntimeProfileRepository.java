package io.devopsconsole.registry.runtime;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Page;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.UUID;

@ApplicationScoped
public class RuntimeProfileRepository implements PanacheRepositoryBase<RuntimeProfile, UUID> {

    Uni<List<RuntimeProfile>> page(UUID projectId, int page, int size) {
        Sort sort = Sort.by("createdAt").and("id");
        return (projectId == null ? findAll(sort) : find("projectId", sort, projectId))
                .page(Page.of(page, size))
                .list();
    }

    Uni<Long> total(UUID projectId) {
        return projectId == null ? count() : count("projectId", projectId);
    }
}
