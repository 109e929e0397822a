package io.devopsconsole.onboarding.auth;

import io.devopsconsole.events.DomainEvent;
import io.devopsconsole.platform.outbox.Outbox;
import io.devopsconsole.platform.problem.ConflictException;
import io.devopsconsole.platform.problem.ResourceNotFoundException;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.pgclient.PgException;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Codex auth slot metadata (the material is in the secret store under {@code secret_reference}). */
@ApplicationScoped
public class AuthSlotStore {

    public record Slot(
            UUID id,
            String name,
            String secretReference,
            int secretVersion,
            String source,
            int sizeBytes,
            UUID leasedTargetId,
            UUID leasedSessionId,
            String leasedBy,
            OffsetDateTime leasedAt,
            OffsetDateTime provisionedAt,
            OffsetDateTime collectedAt,
            String createdBy,
            OffsetDateTime createdAt,
            OffsetDateTime updatedAt,
            long version) {}

    private final Pool pool;
    private final Outbox outbox;
    private final String table;

    public AuthSlotStore(Pool pool, Outbox outbox, @ConfigProperty(name = "devops.schema") String schema) {
        this.pool = pool;
        this.outbox = outbox;
        this.table = schema + ".auth_slot";
    }

    public Uni<Slot> insert(
            UUID id,
            String name,
            String reference,
            int secretVersion,
            String source,
            int size,
            String actor,
            List<? extends DomainEvent> events) {
        return pool.withTransaction(c -> c.preparedQuery(
                                "INSERT INTO " + table + " (id, name, secret_reference, secret_version,"
                                        + " source, size_bytes, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, now(), now())")
                        .execute(Tuple.from(new Object[] {id, name, reference, secretVersion, source, size, actor}))
                        .flatMap(r -> outbox.recordAll(
                                c, events, actor, io.devopsconsole.onboarding.EventRisk.of(events, false))))
                .onFailure(PgException.class)
                .transform(f -> "23505".equals(((PgException) f).getSqlState())
                        ? new ConflictException("name", "a Codex auth slot named " + name + " exists")
                        : f)
                .flatMap(v -> get(id));
    }

    public Uni<Slot> get(UUID id) {
        return pool.preparedQuery("SELECT * FROM " + table + " WHERE id = $1")
                .execute(Tuple.of(id))
                .map(rows -> {
                    if (rows.size() == 0) {
                        throw new ResourceNotFoundException("codex auth slot", id);
                    }
                    return slot(rows.iterator().next());
                });
    }

    public Uni<List<Slot>> list(int page, int size) {
        return pool.preparedQuery("SELECT * FROM " + table + " ORDER BY name LIMIT $1 OFFSET $2")
                .execute(Tuple.of(size, page * size))
                .map(rows -> {
                    List<Slot> out = new ArrayList<>();
                    rows.forEach(r -> out.add(slot(r)));
                    return out;
                });
    }

    /**
     * Applies {@code set} (SQL with $3.. parameters) if the slot is still at {@code version}, with the
     * events; 409 when it changed, or when {@code uniqueMessage} names a unique rule that refused.
     */
    public Uni<Slot> update(
            Slot slot,
            String set,
            List<Object> params,
            String actor,
            List<? extends DomainEvent> events,
            String uniqueMessage) {
        List<Object> all = new ArrayList<>();
        all.add(slot.id());
        all.add(slot.version());
        all.addAll(params);
        return pool.withTransaction(c -> c.preparedQuery("UPDATE " + table + " SET " + set + ", updated_at = now(),"
                                + " version = version + 1 WHERE id = $1 AND version = $2")
                        .execute(Tuple.from(all))
                        .flatMap(r -> {
                            if (r.rowCount() == 0) {
                                throw new ConflictException(
                                        "codex auth slot " + slot.name() + " changed meanwhile; read it again");
                            }
                            return outbox.recordAll(
                                    c, events, actor, io.devopsconsole.onboarding.EventRisk.of(events, false));
                        }))
                .onFailure(PgException.class)
                .transform(f -> "23505".equals(((PgException) f).getSqlState())
                        ? new ConflictException("target_id", uniqueMessage)
                        : f)
                .flatMap(v -> get(slot.id()));
    }

    public Uni<Void> delete(Slot slot, String actor, List<? extends DomainEvent> events) {
        return pool.withTransaction(c -> c.preparedQuery("DELETE FROM " + table + " WHERE id = $1 AND version = $2")
                .execute(Tuple.of(slot.id(), slot.version()))
                .flatMap(r -> {
                    if (r.rowCount() == 0) {
                        throw new ConflictException(
                                "codex auth slot " + slot.name() + " changed meanwhile; read it again");
                    }
                    return outbox.recordAll(c, events, actor, io.devopsconsole.onboarding.EventRisk.of(events, false));
                }));
    }

    private static Slot slot(Row r) {
        return new Slot(
                r.getUUID("id"),
                r.getString("name"),
                r.getString("secret_reference"),
                r.getInteger("secret_version"),
                r.getString("source"),
                r.getInteger("size_bytes"),
                r.getUUID("leased_target_id"),
                r.getUUID("leased_session_id"),
                r.getString("leased_by"),
                r.getOffsetDateTime("leased_at"),
                r.getOffsetDateTime("provisioned_at"),
                r.getOffsetDateTime("collected_at"),
                r.getString("created_by"),
                r.getOffsetDateTime("created_at"),
                r.getOffsetDateTime("updated_at"),
                r.getLong("version"));
    }
}
