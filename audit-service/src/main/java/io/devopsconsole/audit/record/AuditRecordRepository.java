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
