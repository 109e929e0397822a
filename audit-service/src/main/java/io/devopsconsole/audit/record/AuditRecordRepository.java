package io.devopsconsole.audit.record;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

@ApplicationScoped
public class AuditRecordRepository implements PanacheRepositoryBase<AuditRecord, UUID> {

    /**
     * Serializes chain extension across instances (transaction-scoped advisory lock) and returns
     * the current head hash, or the genesis value when nothing is chained yet.
     */
    Uni<String> lockChainHead() {
        return getSession()
                .flatMap(s -> s.createNativeQuery(
                                "SELECT true FROM (SELECT pg_advisory_xact_lock(hashtext('audit_chain'))) AS chain_lock",
                                Boolean.class)
                        .getSingleResult())
                .flatMap(locked -> getSession()
                        .flatMap(s -> s.createNativeQuery(
                                        "SELECT hash FROM {h-schema}audit_record WHERE hash IS NOT NULL ORDER BY seq DESC LIMIT 1",
                                        String.class)
                                .getSingleResultOrNull()))
                .map(head -> head == null ? AuditChain.GENESIS : head);
    }

    /** The newest chained record, or null. */
    Uni<AuditRecord> chainHead() {
        return find("hash is not null order by seq desc").firstResult();
    }

    /** Chained records in log order after {@code afterSeq}, at most {@code limit}, detached (read-only walk). */
    Uni<List<AuditRecord>> chainPage(long afterSeq, int limit) {
        return detached(
                find("seq > ?1 order by seq", afterSeq).range(0, limit - 1).list());
    }

    /**
     * Long walks (verify, export) read page after page; the pages must not pile up in a session's
     * persistence context, so each page is detached once read.
     */
    <T> Uni<T> detached(Uni<T> read) {
        return read.call(() -> getSession().invoke(org.hibernate.reactive.mutiny.Mutiny.Session::clear));
    }

    /** Newest first, strictly older than the cursor; one extra row tells whether another page exists. */
    Uni<List<AuditRecord>> search(AuditQuery query) {
        List<String> where = new ArrayList<>();
        Map<String, Object> params = new HashMap<>();
        if (query.resourceType() != null) {
            where.add("resourceType = :resourceType");
            params.put("resourceType", query.resourceType());
        }
        if (query.resourceId() != null) {
            where.add("resourceId = :resourceId");
            params.put("resourceId", query.resourceId());
        }
        if (query.actor() != null) {
            where.add("actor = :actor");
            params.put("actor", query.actor());
        }
        if (query.action() != null) {
            where.add("action = :action");
            params.put("action", query.action());
        }
        if (query.risk() != null) {
            where.add("risk = :risk");
            params.put("risk", query.risk());
        }
        if (query.sessionId() != null) {
            where.add("sessionId = :sessionId");
            params.put("sessionId", query.sessionId());
        }
        if (query.text() != null && !query.text().isBlank()) {
            where.add("lower(summary) like :text");
            params.put(
                    "text",
                    "%"
                            + query.text()
                                    .toLowerCase(java.util.Locale.ROOT)
                                    .replace("\\", "\\\\")
                                    .replace("%", "\\%")
                                    .replace("_", "\\_")
                            + "%");
        }
        if (query.from() != null) {
            where.add("eventTime >= :from");
            params.put("from", query.from());
        }
        if (query.to() != null) {
            where.add("eventTime < :to");
            params.put("to", query.to());
        }
        if (query.before() != null) {
            where.add("seq < :before");
            params.put("before", query.before());
        }
        String hql = (where.isEmpty() ? "" : "where " + String.join(" and ", where)) + " order by seq desc";
        return find(hql, params).range(0, query.limit()).list();
    }
}
