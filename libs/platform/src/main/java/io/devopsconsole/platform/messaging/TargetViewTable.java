package io.devopsconsole.platform.messaging;

import io.devopsconsole.events.DomainEvent;
import io.devopsconsole.events.registry.CodexStatusChanged;
import io.devopsconsole.events.registry.HostKeyTrusted;
import io.devopsconsole.events.registry.TargetRegistered;
import io.devopsconsole.events.registry.TargetRemoved;
import io.devopsconsole.events.registry.TargetRenamed;
import io.devopsconsole.events.registry.TargetRetired;
import io.devopsconsole.events.registry.TargetState;
import io.devopsconsole.events.registry.TargetUpdated;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import java.util.Optional;
import java.util.UUID;

/**
 * A service's projection of the registry's SSH targets into its own {@code target_view} table
 * (columns: id, name, host, port, username, environment, key_source, key_reference,
 * host_key_fingerprint, host_public_key, codex_status, retired, removed, version, updated_at).
 * Versioned upserts make redeliveries harmless. The trusted public key comes from
 * {@code HostKeyTrusted} and is kept only while the target's fingerprint still names it: a target
 * whose key changed in the registry has no trusted key here until it is trusted again.
 */
public final class TargetViewTable {

    private final Pool pool;
    private final String table;

    public TargetViewTable(Pool pool, String table) {
        this.pool = pool;
        this.table = table;
    }

    /** The change this event makes to the table, or empty when it is not about targets. */
    public Optional<Uni<Void>> apply(DomainEvent event) {
        if (event instanceof TargetRegistered e) {
            return Optional.of(upsert(e.target(), false));
        }
        if (event instanceof TargetUpdated e) {
            return Optional.of(upsert(e.target(), false));
        }
        if (event instanceof TargetRemoved e) {
            return Optional.of(upsert(e.target(), true));
        }
        if (event instanceof TargetRenamed e) {
            return Optional.of(update("name = $2", e.targetId(), e.name(), e.version()));
        }
        if (event instanceof TargetRetired e) {
            return Optional.of(update("retired = $2", e.targetId(), true, e.version()));
        }
        if (event instanceof CodexStatusChanged e) {
            return Optional.of(update("codex_status = $2", e.targetId(), e.status(), e.version()));
        }
        if (event instanceof HostKeyTrusted e) {
            return Optional.of(pool.preparedQuery(
                            "UPDATE " + table + " SET host_key_fingerprint = $2, host_public_key = $3,"
                                    + " version = greatest(version, $4), updated_at = now() WHERE id = $1 AND version <= $4")
                    .execute(Tuple.of(
                            e.targetId(), e.fingerprintSha256(), e.keyType() + " " + blob(e.publicKey()), e.version()))
                    .replaceWithVoid());
        }
        return Optional.empty();
    }

    /** The key blob alone, whether the event carries "type blob [comment]" or just the blob. */
    private static String blob(String publicKey) {
        String[] parts = publicKey.trim().split("\\s+");
        return parts.length >= 2 ? parts[1] : parts[0];
    }

    private Uni<Void> upsert(TargetState t, boolean removed) {
        // the public key stays only while the fingerprint it was trusted under is still the target's
        return pool.preparedQuery("INSERT INTO " + table + " (id, name, host, port, username, environment, key_source,"
                        + " key_reference, host_key_fingerprint, codex_status, retired, removed, version)"
                        + " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
                        + " ON CONFLICT (id) DO UPDATE SET name = excluded.name, host = excluded.host, port = excluded.port,"
                        + " username = excluded.username, environment = excluded.environment, key_source = excluded.key_source,"
                        + " key_reference = excluded.key_reference, host_key_fingerprint = excluded.host_key_fingerprint,"
                        + " host_public_key = CASE WHEN " + table + ".host_key_fingerprint IS NOT DISTINCT FROM"
                        + " excluded.host_key_fingerprint THEN " + table + ".host_public_key END,"
                        + " codex_status = excluded.codex_status, retired = excluded.retired, removed = excluded.removed,"
                        + " version = excluded.version, updated_at = now() WHERE " + table
                        + ".version <= excluded.version")
                .execute(Tuple.from(new Object[] {
                    t.targetId(),
                    t.name(),
                    t.host(),
                    t.port(),
                    t.username(),
                    t.environment(),
                    t.keySource(),
                    t.keyReference(),
                    t.hostKeyFingerprint(),
                    t.codexStatus(),
                    t.retired(),
                    removed,
                    t.version()
                }))
                .replaceWithVoid();
    }

    private Uni<Void> update(String set, UUID id, Object value, long version) {
        return pool.preparedQuery("UPDATE " + table + " SET " + set
                        + ", version = greatest(version, $3), updated_at = now()" + " WHERE id = $1 AND version <= $3")
                .execute(Tuple.of(id, value, version))
                .replaceWithVoid();
    }
}
