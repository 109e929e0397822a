package io.devopsconsole.registry.target;

import io.devopsconsole.registry.Inputs;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Page;
import io.quarkus.panache.common.Parameters;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

@ApplicationScoped
public class SshTargetRepository implements PanacheRepositoryBase<SshTarget, UUID> {

    /** List filters; null means any. */
    public record Filter(SshTarget.Environment environment, UUID siteId, SshTarget.CodexStatus codexStatus,
                         String namePrefix, Boolean retired) {
    }

    /** Ordered by lower(name), which the unique name index serves, so a page is an index range scan. */
    public Uni<List<SshTarget>> page(Filter filter, int page, int size) {
        Query q = query(filter);
        return find((q.where.isEmpty() ? "" : "where " + q.where) + " order by lower(name), id", q.params)
                .page(Page.of(page, size)).list();
    }

    public Uni<Long> total(Filter filter) {
        Query q = query(filter);
        return q.where.isEmpty() ? count() : count(q.where, q.params);
    }

    Uni<Boolean> bound(UUID targetId) {
        return getSession().flatMap(s -> s.createNativeQuery(
                        "SELECT EXISTS (SELECT 1 FROM {h-schema}runtime_profile_binding WHERE target_id = :id)", Boolean.class)
                .setParameter("id", targetId).getSingleResult());
    }

    private record Query(String where, Parameters params) {
    }

    private static Query query(Filter f) {
        List<String> where = new ArrayList<>();
        Parameters params = new Parameters();
        if (f.namePrefix() != null && !f.namePrefix().isEmpty()) {
            params = Inputs.namePrefix(f.namePrefix());
            where.add("lower(name) like :prefix");
        }
        if (f.environment() != null) {
            where.add("environment = :environment");
            params.and("environment", f.environment());
        }
        if (f.siteId() != null) {
            where.add("siteId = :siteId");
            params.and("siteId", f.siteId());
        }
        if (f.codexStatus() != null) {
            where.add("codexStatus = :codexStatus");
            params.and("codexStatus", f.codexStatus());
        }
        if (f.retired() != null) {
            where.add("retired = :retired");
            params.and("retired", f.retired());
        }
        return new Query(String.join(" and ", where), params);
    }
}
