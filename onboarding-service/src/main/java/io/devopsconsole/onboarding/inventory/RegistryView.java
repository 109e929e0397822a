package io.devopsconsole.onboarding.inventory;

import io.devopsconsole.events.DomainEvent;
import io.devopsconsole.events.registry.TargetRemoved;
import io.devopsconsole.events.registry.TunnelProfileCreated;
import io.devopsconsole.events.registry.TunnelProfileDeleted;
import io.devopsconsole.events.registry.TunnelProfileState;
import io.devopsconsole.events.registry.TunnelProfileUpdated;
import io.devopsconsole.platform.messaging.Projections;
import io.devopsconsole.platform.messaging.TargetViewTable;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

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
    public record Target(
            UUID id,
            String name,
            String host,
            int port,
            String username,
            String environment,
            String hostKeyFingerprint,
            String hostPublicKey,
            String codexStatus,
            boolean retired,
            boolean removed,
            String keySource,
            String keyReference) {

        public boolean production() {
            return "production".equals(environment);
        }
    }

    /** A registered tunnel profile; {@code configPath} is where its file is on the gateway host. */
    public record Tunnel(
            UUID id,
            String name,
            String kind,
            String interfaceName,
            String configPath,
            boolean enabled,
            String operationalState,
            boolean deleted) {

        public String configFile() {
            return configPath != null && !configPath.isBlank()
                    ? configPath
                    : "/etc/wireguard/" + interfaceName + ".conf";
        }
    }

    private final Pool pool;
    private final io.devopsconsole.platform.messaging.DeadLetters deadLetters;
    private final String schema;
    private final TargetViewTable targets;

    public RegistryView(
            Pool pool,
            @ConfigProperty(name = "devops.schema") String schema,
            io.devopsconsole.platform.messaging.DeadLetters deadLetters) {
        this.pool = pool;
        this.deadLetters = deadLetters;
        this.schema = schema;
        this.targets = new TargetViewTable(pool, schema + ".target_view");
    }

    @Incoming("registry-events")
    public Uni<Void> consume(ConsumerRecords<String, byte[]> records) {
        return Projections.apply(records, this::apply, LOG, deadLetters);
    }

    Uni<Void> apply(DomainEvent event) {
        var targetChange = targets.apply(event);
        if (targetChange.isPresent()) {
            if (event instanceof TargetRemoved e) {
                // the runs that onboarded it keep their history, without the reference
                return targetChange
                        .get()
                        .flatMap(v -> pool.preparedQuery("UPDATE " + schema + ".onboarding_run"
                                        + " SET target_id = NULL, updated_at = now() WHERE target_id = $1")
                                .execute(Tuple.of(e.target().targetId())))
                        .replaceWithVoid();
            }
            return targetChange.get();
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

    private Uni<Void> tunnel(TunnelProfileState t, boolean deleted) {
        String table = schema + ".tunnel_view";
        return pool.preparedQuery("INSERT INTO " + table + " (id, name, kind, interface_name, config_path, enabled,"
                        + " operational_state, deleted, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
                        + " ON CONFLICT (id) DO UPDATE SET name = excluded.name, kind = excluded.kind,"
                        + " interface_name = excluded.interface_name, config_path = excluded.config_path,"
                        + " enabled = excluded.enabled, operational_state = excluded.operational_state,"
                        + " deleted = excluded.deleted, version = excluded.version WHERE " + table
                        + ".version <= excluded.version")
                .execute(Tuple.from(new Object[] {
                    t.tunnelProfileId(),
                    t.name(),
                    t.kind(),
                    t.interfaceName(),
                    t.configPath(),
                    t.enabled(),
                    t.operationalState(),
                    deleted,
                    t.version()
                }))
                .replaceWithVoid();
    }

    public Uni<Optional<Target>> target(UUID id) {
        return pool.preparedQuery("SELECT * FROM " + schema + ".target_view WHERE id = $1")
                .execute(Tuple.of(id))
                .map(rows -> rows.size() == 0
                        ? Optional.empty()
                        : Optional.of(target(rows.iterator().next())));
    }

    public Uni<Optional<Tunnel>> tunnel(UUID id) {
        return pool.preparedQuery("SELECT * FROM " + schema + ".tunnel_view WHERE id = $1")
                .execute(Tuple.of(id))
                .map(rows -> {
                    if (rows.size() == 0) {
                        return Optional.empty();
                    }
                    Row r = rows.iterator().next();
                    return Optional.of(new Tunnel(
                            r.getUUID("id"),
                            r.getString("name"),
                            r.getString("kind"),
                            r.getString("interface_name"),
                            r.getString("config_path"),
                            r.getBoolean("enabled"),
                            r.getString("operational_state"),
                            r.getBoolean("deleted")));
                });
    }

    private static Target target(Row r) {
        return new Target(
                r.getUUID("id"),
                r.getString("name"),
                r.getString("host"),
                r.getInteger("port"),
                r.getString("username"),
                r.getString("environment"),
                r.getString("host_key_fingerprint"),
                r.getString("host_public_key"),
                r.getString("codex_status"),
                r.getBoolean("retired"),
                r.getBoolean("removed"),
                r.getString("key_source"),
                r.getString("key_reference"));
    }
}
