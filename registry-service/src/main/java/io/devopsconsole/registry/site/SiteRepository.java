package io.devopsconsole.registry.site;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Page;
import io.quarkus.panache.common.Parameters;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;
import java.util.UUID;

@ApplicationScoped
public class SiteRepository implements PanacheRepositoryBase<Site, UUID> {

    Uni<List<Site>> page(String namePrefix, int page, int size) {
        return find("lower(name) like :prefix", Sort.by("name"), prefix(namePrefix)).page(Page.of(page, size)).list();
    }

    Uni<Long> total(String namePrefix) {
        return count("lower(name) like :prefix", prefix(namePrefix));
    }

    /** True when a network rule or an SSH target still points at the site. */
    Uni<Boolean> referenced(UUID siteId) {
        return getSession().flatMap(s -> s.createNativeQuery(
                        "SELECT (EXISTS (SELECT 1 FROM {h-schema}network_rule WHERE site_id = :id)"
                                + " OR EXISTS (SELECT 1 FROM {h-schema}ssh_target WHERE site_id = :id))", Boolean.class)
                .setParameter("id", siteId).getSingleResult());
    }

    /** A case-insensitive "starts with" parameter, with LIKE wildcards in the input escaped. */
    public static Parameters prefix(String namePrefix) {
        String p = namePrefix == null ? "" : namePrefix.toLowerCase(java.util.Locale.ROOT)
                .replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
        return Parameters.with("prefix", p + "%");
    }
}
