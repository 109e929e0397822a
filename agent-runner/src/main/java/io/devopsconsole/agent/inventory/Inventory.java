package io.devopsconsole.agent.inventory;

import com.fasterxml.jackson.core.type.TypeReference;
import io.devopsconsole.events.DomainEvent;
import io.devopsconsole.events.EventJson;
import io.devopsconsole.events.registry.RuntimeProfileCreated;
import io.devopsconsole.events.registry.RuntimeProfileDeleted;
import io.devopsconsole.events.registry.RuntimeProfileState;
import io.devopsconsole.events.registry.RuntimeProfileUpdated;
import io.devopsconsole.platform.messaging.Projections;
import io.devopsconsole.platform.messaging.TargetViewTable;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * What this runner knows of targets and runtime profiles: a projection of
 * {@code console.registry.v1} (targets through {@link TargetViewTable}; versioned upserts make
 * redeliveries harmless).
 */
@ApplicationScoped
public class Inventory {

    private static final Logger LOG = Logger.getLogger(Inventory.class);

    /** A target as the runner needs it to connect. */
    public record Target(
            UUID id,
            String name,
            String host,
            int port,
            String username,
            String environment,
            String keySource,
            String keyReference,
            String hostKeyFingerprint,
            String hostPublicKey,
            String codexStatus,
            boolean retired,
            boolean removed) {

        /** Why no worker may start here, or null when the target is ready for execution. */
        public String notReadyReason() {
            if (removed) {
                return "target " + name + " was removed from the inventory";
            }
            if (retired) {
                return "target " + name + " is retired";
            }
            if (hostKeyFingerprint == null || hostPublicKey == null) {
                return "target " + name + " has no trusted host key (trust one through onboarding first)";
            }
            if (!"ready".equals(codexStatus)) {
                return "target " + name + " is not ready for Codex (codex status " + codexStatus + ")";
            }
            return null;
        }
    }

    /** A project's runtime profile: bindings and Codex options. */
    public record Profile(
            UUID profileId,
            UUID projectId,
            List<RuntimeProfileState.Binding> bindings,
            RuntimeProfileState.CodexOptions codex) {

        public Optional<RuntimeProfileState.Binding> primary() {
            return bindings.stream().filter(b -> "primary".equals(b.role())).findFirst();
        }
    }

    private final Pool pool;
    private final io.devopsconsole.platform.messaging.DeadLetters deadLetters;
    private final String targets;
    private final String profiles;
    private final TargetViewTable targetView;

    public Inventory(
            Pool pool,
            @ConfigProperty(name = "devops.schema") String schema,
            io.devopsconsole.platform.messaging.DeadLetters deadLetters) {
        this.pool = pool;
        this.deadLetters = deadLetters;
        this.targets = schema + ".target_view";
        this.profiles = schema + ".profile_view";
        this.targetView = new TargetViewTable(pool, targets);
    }

    @Incoming("registry-events")
    public Uni<Void> consume(ConsumerRecords<String, byte[]> records) {
        return Projections.apply(records, this::apply, LOG, deadLetters);
    }

    Uni<Void> apply(DomainEvent event) {
        var targetChange = targetView.apply(event);
        if (targetChange.isPresent()) {
            return targetChange.get();
        }
        if (event instanceof RuntimeProfileCreated e) {
            return profile(e.profile(), false);
        }
        if (event instanceof RuntimeProfileUpdated e) {
            return profile(e.profile(), false);
        }
        if (event instanceof RuntimeProfileDeleted e) {
            return profile(e.profile(), true);
        }
        return Uni.createFrom().voidItem();
    }

    private Uni<Void> profile(RuntimeProfileState p, boolean deleted) {
        return pool.preparedQuery(
                        "INSERT INTO " + profiles + " (project_id, profile_id, bindings, codex, deleted, version)"
                                + " VALUES ($1, $2, $3::jsonb, $4::jsonb, $5, $6) ON CONFLICT (project_id) DO UPDATE SET"
                                + " profile_id = excluded.profile_id, bindings = excluded.bindings, codex = excluded.codex,"
                                + " deleted = excluded.deleted, version = excluded.version, updated_at = now()"
                                + " WHERE " + profiles + ".profile_id <> excluded.profile_id OR " + profiles
                                + ".version <= excluded.version")
                .execute(Tuple.from(new Object[] {
                    p.projectId(),
                    p.runtimeProfileId(),
                    EventJson.mapper().valueToTree(p.bindings()).toString(),
                    EventJson.mapper().valueToTree(p.codex()).toString(),
                    deleted,
                    p.version()
                }))
                .replaceWithVoid();
    }

    public Uni<Optional<Target>> target(UUID id) {
        return pool.preparedQuery("SELECT * FROM " + targets + " WHERE id = $1")
                .execute(Tuple.of(id))
                .map(rows -> rows.size() == 0
                        ? Optional.empty()
                        : Optional.of(target(rows.iterator().next())));
    }

    public Uni<Optional<Profile>> profileOf(UUID projectId) {
        return pool.preparedQuery("SELECT * FROM " + profiles + " WHERE project_id = $1 AND NOT deleted")
                .execute(Tuple.of(projectId))
                .map(rows -> {
                    if (rows.size() == 0) {
                        return Optional.empty();
                    }
                    Row r = rows.iterator().next();
                    try {
                        List<RuntimeProfileState.Binding> bindings = EventJson.mapper()
                                .readValue(r.getValue("bindings").toString(), new TypeReference<>() {});
                        RuntimeProfileState.CodexOptions codex = EventJson.mapper()
                                .readValue(r.getValue("codex").toString(), RuntimeProfileState.CodexOptions.class);
                        return Optional.of(new Profile(r.getUUID("profile_id"), projectId, bindings, codex));
                    } catch (Exception e) {
                        throw new IllegalStateException("unreadable runtime profile of project " + projectId, e);
                    }
                });
    }

    /**
     * {@code read} again (after 25 ms, doubling to 250 ms) until it finds something or {@code within}
     * has passed: what the registry has just written may be a moment from this projection.
     */
    public static <T> Uni<Optional<T>> caughtUp(Supplier<Uni<Optional<T>>> read, Duration within) {
        return Uni.createFrom().deferred(() -> poll(read, System.nanoTime() + within.toNanos(), 25));
    }

    private static <T> Uni<Optional<T>> poll(Supplier<Uni<Optional<T>>> read, long deadline, long pauseMillis) {
        return read.get().flatMap(found -> {
            if (found.isPresent() || System.nanoTime() - deadline >= 0) {
                return Uni.createFrom().item(found);
            }
            return Uni.createFrom()
                    .voidItem()
                    .onItem()
                    .delayIt()
                    .by(Duration.ofMillis(pauseMillis))
                    .flatMap(v -> poll(read, deadline, Math.min(pauseMillis * 2, 250)));
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
                r.getString("key_source"),
                r.getString("key_reference"),
                r.getString("host_key_fingerprint"),
                r.getString("host_public_key"),
                r.getString("codex_status"),
                r.getBoolean("retired"),
                r.getBoolean("removed"));
    }
}
