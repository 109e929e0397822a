package io.devopsconsole.registry.network;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Page;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.UUID;

@ApplicationScoped
public class NetworkRuleRepository implements PanacheRepositoryBase<NetworkRule, UUID> {

    Uni<List<NetworkRule>> page(UUID siteId, int page, int size) {
        Sort sort = Sort.by("prefixLength", Sort.Direction.Descending).and("cidr");
        return (siteId == null ? findAll(sort) : find("siteId", sort, siteId))
                .page(Page.of(page, size))
                .list();
    }

    Uni<Long> total(UUID siteId) {
        return siteId == null ? count() : count("siteId", siteId);
    }

    /** Every rule, most specific first; the table holds a handful of rows per site. */
    Uni<List<NetworkRule>> mostSpecificFirst() {
        return listAll(Sort.by("prefixLength", Sort.Direction.Descending).and("cidr"));
    }
}
