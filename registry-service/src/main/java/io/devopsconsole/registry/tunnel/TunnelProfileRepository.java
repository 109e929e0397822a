package io.devopsconsole.registry.tunnel;

import io.devopsconsole.registry.Inputs;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Page;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.UUID;

@ApplicationScoped
public class TunnelProfileRepository implements PanacheRepositoryBase<TunnelProfile, UUID> {

    Uni<List<TunnelProfile>> page(String namePrefix, int page, int size) {
        return find("lower(name) like :prefix", Sort.by("name"), Inputs.namePrefix(namePrefix))
                .page(Page.of(page, size))
                .list();
    }

    Uni<Long> total(String namePrefix) {
        return count("lower(name) like :prefix", Inputs.namePrefix(namePrefix));
    }

    Uni<Boolean> referenced(UUID tunnelId) {
        return getSession()
                .flatMap(s -> s.createNativeQuery(
                                "SELECT (EXISTS (SELECT 1 FROM {h-schema}network_rule WHERE tunnel_profile_id = :id)"
                                        + " OR EXISTS (SELECT 1 FROM {h-schema}ssh_target WHERE tunnel_profile_id = :id))",
                                Boolean.class)
                        .setParameter("id", tunnelId)
                        .getSingleResult());
    }
}
