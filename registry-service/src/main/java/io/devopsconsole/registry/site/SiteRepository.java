package io.devopsconsole.registry.site;

import io.devopsconsole.registry.Inputs;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Page;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.UUID;

@ApplicationScoped
public class SiteRepository implements PanacheRepositoryBase<Site, UUID> {

    Uni<List<Site>> page(String namePrefix, int page, int size) {
        return find("lower(name) like :prefix", Sort.by("name"), Inputs.namePrefix(namePrefix))
                .page(Page.of(page, size))
                .list();
    }

    Uni<Long> total(String namePrefix) {
        return count("lower(name) like :prefix", Inputs.namePrefix(namePrefix));
    }

    /** True when a network rule or an SSH target still points at the site. */
    Uni<Boolean> referenced(UUID siteId) {
        return getSession()
                .flatMap(s -> s.createNativeQuery(
                                "SELECT (EXISTS (SELECT 1 FROM {h-schema}network_rule WHERE site_id = :id)"
                                        + " OR EXISTS (SELECT 1 FROM {h-schema}ssh_target WHERE site_id = :id))",
                                Boolean.class)
                        .setParameter("id", siteId)
                        .getSingleResult());
    }
}
