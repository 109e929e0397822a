package io.devopsconsole.registry.project;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Page;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.UUID;

@ApplicationScoped
public class ProjectRepository implements PanacheRepositoryBase<Project, UUID> {

    Uni<List<Project>> page(boolean includeArchived, int page, int size) {
        Sort sort = Sort.by("slug");
        return (includeArchived ? findAll(sort) : find("archived = false", sort))
                .page(Page.of(page, size))
                .list();
    }

    Uni<Long> total(boolean includeArchived) {
        return includeArchived ? count() : count("archived = false");
    }
}
