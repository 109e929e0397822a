package io.devopsconsole.onboarding.inventory;

import io.devopsconsole.events.DomainEvent;
import io.devopsconsole.events.registry.CodexStatusChanged;
import io.devopsconsole.events.registry.HostKeyTrusted;
import io.devopsconsole.events.registry.TargetRegistered;
import io.devopsconsole.events.registry.TargetRemoved;
import io.devopsconsole.events.registry.TargetRenamed;
import io.devopsconsole.events.registry.TargetRetired;
import io.devopsconsole.events.registry.TargetState;
import io.devopsconsole.events.registry.TargetUpdated;
import io.devopsconsole.events.registry.TunnelProfileCreated;
import io.devopsconsole.events.registry.TunnelProfileDeleted;
import io.devopsconsole.events.registry.TunnelProfileState;
import io.devopsconsole.events.registry.TunnelProfileUpdated;
import io.devopsconsole.platform.messaging.Projections;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

import java.util.Optional;
import java.util.UUID;

/**
 * What onboarding knows of the registry: targets (with the trusted host key while the registry's
 * fingerprint still names it) and tunnel profiles, projected from {@code console.registry.v1} with
 * versioned upserts. A removed target clears the reference of the runs that onboarded it (their
 * history stays).
 */
@ApplicationScoped
public class RegistryView {

    private static final Logger LOG = Logger.getLogger(RegistryView.class);

    /** A target as onboarding needs it to connect. */
    public record Target(UUID id, String name, String host, int port, String username, String environment,
                         String hostKeyFingerprint, String hostPublicKey, String codexStatus, boolean retired, boolean removed,
                         String keySource, String keyReference) {

        public boolean production() {
            return "production".equals(environment);
        }
    }

    /** A registered tunnel profile; {@code configPath} is where its file is on the gateway host. */
    public record Tunnel(UUID id, String name, String kind, String interfaceName, String configPath, boolean enabled,
                         String operationalState, boolean deleted) {

        public String configFile() {
            return configPath != null && !configPath.isBlank() ? configPath : "/etc/wireguard/" + interfaceName + ".conf";
        }
    }

    private final Pool pool;
    private final String schema;

    public RegistryView(Pool pool, @ConfigProperty(name = "devops.schema") String schema) {
        this.pool = pool;
        this.schema = schema;
    }

    @Incoming("registry-events")
    public Uni<Void> consume(ConsumerRecords<String, byte[]> records) {
        return Projections.apply(records, this::apply, LOG);
    }

    Uni<Void> apply(DomainEvent event) {
        if (event instanceof TargetRegistered e) {
            return upsert(e.target(), false);
        }
        if (event instanceof TargetUpdated e) {
            return upsert(e.target(), false);
        }
        if (event instanceof TargetRemoved e) {
            return upsert(e.target(), true).flatMap(v -> pool.preparedQuery("UPDATE " + schema + ".onboarding_run"
                    + " SET target_id = NULL, updated_at = now() WHERE target_id = $1").execute(Tuple.of(e.target().targetId())))
                    .replaceWithVoid();
        }
        if (event instanceof TargetRenamed e) {
            return update("name = $2", e.targetId(), e.name(), e.version());
        }
        if (event instanceof TargetRetired e) {
            return update("retired = $2", e.targetId(), true, e.version());
        }
        if (event instanceof CodexStatusChanged e) {
            return update("codex_status = $2", e.targetId(), e.status(), e.version());
        }
        if (event instanceof HostKeyTrusted e) {
            return pool.preparedQuery("UPDATE " + schema + ".target_view SET host_key_fingerprint = $2, host_public_key = $3,"
                            + " version = greatest(version, $4) WHERE id = $1 AND version <= $4")
                    .execute(Tuple.of(e.targetId(), e.fingerprintSha256(), e.keyType() + " " + blob(e.publicKey()), e.version()))
                    .replaceWithVoid();
        }
        if (event instanceof TunnelProfileCreated e) {
            return tunnel(e.tunnel(), false);
        }
        if (event instanceof TunnelProfileUpdated e) {
            return tunnel(e.tunnel(), false);
        }
        if (event instanceof TunnelProfileDeleted e) {
            return tunnel(e.tunnel(), true);
        }
        return Uni.createFrom().voidItem();
    }

    private static String blob(String publicKey) {
        String[] parts = publicKey.trim().split("\\s+");
        return parts.length >= 2 ? parts[1] : parts[0];
    }

    private Uni<Void> upsert(TargetState t, boolean removed) {
        String table = schema + ".target_view";
        return pool.preparedQuery("INSERT INTO " + table + " (id, name, host, port, username, environment,"
                        + " host_key_fingerprint, codex_status, retired, removed, version, key_source, key_reference)"
                        + " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
                        + " ON CONFLICT (id) DO UPDATE SET name = excluded.name, host = excluded.host, port = excluded.port,"
                        + " username = excluded.username, environment = excluded.environment,"
                        + " key_source = excluded.key_source, key_reference = excluded.key_reference,"
                        + " host_key_fingerprint = excluded.host_key_fingerprint,"
                        + " host_public_key = CASE WHEN " + table + ".host_key_fingerprint IS NOT DISTINCT FROM"
                        + " excluded.host_key_fingerprint THEN " + table + ".host_public_key END,"
                        + " codex_status = excluded.codex_status, retired = excluded.retired, removed = excluded.removed,"
                        + " version = excluded.version WHERE " + table + ".version <= excluded.version")
                .execute(Tuple.from(new Object[]{t.targetId(), t.name(), t.host(), t.port(), t.username(), t.environment(),
                        t.hostKeyFingerprint(), t.codexStatus(), t.retired(), removed, t.version(), t.keySource(),
                        t.keyReference()}))
                .replaceWithVoid();
    }

    private Uni<Void> update(String set, UUID id, Object value, long version) {
        return pool.preparedQuery("UPDATE " + schema + ".target_view SET " + set + ", version = greatest(version, $3)"
                        + " WHERE id = $1 AND version <= $3")
                .execute(Tuple.of(id, value, version)).replaceWithVoid();
    }

    private Uni<Void> tunnel(TunnelProfileState t, boolean deleted) {
        String table = schema + ".tunnel_view";
        return pool.preparedQuery("INSERT INTO " + table + " (id, name, kind, interface_name, config_path, enabled,"
                        + " operational_state, deleted, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
                        + " ON CONFLICT (id) DO UPDATE SET name = excluded.name, kind = excluded.kind,"
                        + " interface_name = excluded.interface_name, config_path = excluded.config_path,"
                        + " enabled = excluded.enabled, operational_state = excluded.operational_state,"
                        + " deleted = excluded.deleted, version = excluded.version WHERE " + table + ".version <= excluded.version")
                .execute(Tuple.from(new Object[]{t.tunnelProfileId(), t.name(), t.kind(), t.interfaceName(), t.configPath(),
                        t.enabled(), t.operationalState(), deleted, t.version()}))
                .replaceWithVoid();
    }

    public Uni<Optional<Target>> target(UUID id) {
        return pool.preparedQuery("SELECT * FROM " + schema + ".target_view WHERE id = $1").execute(Tuple.of(id))
                .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(target(rows.iterator().next())));
    }

    public Uni<Optional<Tunnel>> tunnel(UUID id) {
        return pool.preparedQuery("SELECT * FROM " + schema + ".tunnel_view WHERE id = $1").execute(Tuple.of(id))
                .map(rows -> {
                    if (rows.size() == 0) {
                        return Optional.empty();
                    }
                    Row r = rows.iterator().next();
                    return Optional.of(new Tunnel(r.getUUID("id"), r.getString("name"), r.getString("kind"),
                            r.getString("interface_name"), r.getString("config_path"), r.getBoolean("enabled"),
                            r.getString("operational_state"), r.getBoolean("deleted")));
                });
    }

    private static Target target(Row r) {
        return new Target(r.getUUID("id"), r.getString("name"), r.getString("host"), r.getInteger("port"),
                r.getString("username"), r.getString("environment"), r.getString("host_key_fingerprint"),
                r.getString("host_public_key"), r.getString("codex_status"), r.getBoolean("retired"), r.getBoolean("removed"),
                r.getString("key_source"), r.getString("key_reference"));
    }
}
