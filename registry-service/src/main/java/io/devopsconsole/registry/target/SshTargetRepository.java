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
    public record Filter(
            SshTarget.Environment environment,
            UUID siteId,
            SshTarget.CodexStatus codexStatus,
            String namePrefix,
            Boolean retired) {}

    /** Ordered by lower(name), which the unique name index serves, so a page is an index range scan. */
    public Uni<List<SshTarget>> page(Filter filter, int page, int size) {
        Query q = query(filter);
        return find((q.where.isEmpty() ? "" : "where " + q.where) + " order by lower(name), id", q.params)
                .page(Page.of(page, size))
                .list();
    }

    public Uni<Long> total(Filter filter) {
        Query q = query(filter);
        return q.where.isEmpty() ? count() : count(q.where, q.params);
    }

    Uni<Boolean> bound(UUID targetId) {
        return getSession()
                .flatMap(s -> s.createNativeQuery(
                                "SELECT EXISTS (SELECT 1 FROM {h-schema}runtime_profile_binding WHERE target_id = :id)",
                                Boolean.class)
                        .setParameter("id", targetId)
                        .getSingleResult());
    }

    /**
     * An active target other than {@code self} on the same SSH endpoint but in another environment,
     * looked up under a transaction lock on the endpoint, so two registrations cannot both pass.
     */
    Uni<SshTarget> otherEnvironmentOnEndpoint(String host, int port, SshTarget.Environment environment, UUID self) {
        return lock("ssh-endpoint:" + host.toLowerCase(java.util.Locale.ROOT) + ":" + port)
                .flatMap(locked -> find(
                                "lower(host) = lower(?1) and port = ?2 and environment <> ?3 and retired = false"
                                        + " and id <> ?4",
                                host,
                                port,
                                environment,
                                self)
                        .firstResult());
    }

    /** An active target other than {@code self} that trusts the same host key but is in another environment. */
    Uni<SshTarget> otherEnvironmentWithHostKey(String fingerprint, SshTarget.Environment environment, UUID self) {
        return lock("ssh-host-key:" + fingerprint)
                .flatMap(locked -> find(
                                "hostKeyFingerprint = ?1 and environment <> ?2 and retired = false and id <> ?3",
                                fingerprint,
                                environment,
                                self)
                        .firstResult());
    }

    private Uni<Integer> lock(String key) {
        return getSession()
                .flatMap(s -> s.createNativeQuery(
                                "SELECT 1 FROM (SELECT pg_advisory_xact_lock(hashtext(:key))) l", Integer.class)
                        .setParameter("key", key)
                        .getSingleResult());
    }

    private record Query(String where, Parameters params) {}

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
