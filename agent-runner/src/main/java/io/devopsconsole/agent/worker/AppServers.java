package io.devopsconsole.agent.worker;

import io.devopsconsole.agent.AgentConfig;
import io.devopsconsole.agent.codex.LaunchCommand;
import io.devopsconsole.agent.inventory.Inventory;
import io.devopsconsole.agent.ssh.SshConnector;
import io.devopsconsole.platform.ssh.PinnedSsh;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * The durable app-servers on a host, as the host reports them (the fixed listing command), matched
 * with the live workers that use them; and the cleaning of stale ones (process gone, state files
 * left), by the fixed clean command that never touches a running server. Stale state is also swept
 * periodically ({@code devops.agent.app-server-sweep-every}) on the targets this runner's workers
 * used recently.
 */
@ApplicationScoped
public class AppServers {

    private static final Logger LOG = Logger.getLogger(AppServers.class);
    static final Pattern KEY = Pattern.compile("[0-9a-f]{20}");

    /** One app-server on the host: {@code stale} when its process is gone and its files are left. */
    public record AppServer(
            String serverKey,
            Long pid,
            boolean alive,
            String workingDirectory,
            UUID workerId,
            UUID sessionId,
            String workerState,
            boolean orphan,
            boolean stale) {}

    /** What a clean did: the keys whose stale state was removed, and the ones left (running, or used by a live worker). */
    public record Cleaned(UUID targetId, String targetName, List<String> removed, List<String> kept) {}

    /** A listing as the host reported it, before it is matched with live workers. */
    public record Listed(String serverKey, Long pid, boolean alive, String workingDirectory) {}

    /** The newest stored listing of a target: when, by whom (a user, or the sweep), and what the host reported. */
    public record Observation(java.time.OffsetDateTime observedAt, String observedBy, List<AppServer> items) {}

    private final SshConnector ssh;
    private final WorkerStore store;
    private final Inventory inventory;
    private final AgentConfig config;
    private final io.vertx.mutiny.sqlclient.Pool pool;
    private final String observations;
    private final ScheduledExecutorService sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "app-server-sweep");
        t.setDaemon(true);
        return t;
    });

    public AppServers(
            SshConnector ssh,
            WorkerStore store,
            Inventory inventory,
            AgentConfig config,
            io.vertx.mutiny.sqlclient.Pool pool,
            @org.eclipse.microprofile.config.inject.ConfigProperty(name = "devops.schema") String schema) {
        this.ssh = ssh;
        this.store = store;
        this.inventory = inventory;
        this.config = config;
        this.pool = pool;
        this.observations = schema + ".app_server_observation";
    }

    void start(@Observes StartupEvent event) {
        Duration every = config.appServerSweepEvery();
        if (!every.isZero() && !every.isNegative()) {
            sweeper.scheduleWithFixedDelay(this::sweep, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    void stop(@Observes ShutdownEvent event) {
        sweeper.shutdownNow();
    }

    /**
     * Asks the target's host for its app-servers (blocking: one SSH connection running the fixed,
     * read-only listing command), stores what it reported as the target's newest observation, and
     * answers it matched with the live workers.
     */
    public List<AppServer> list(Inventory.Target target, String observedBy) throws IOException {
        PinnedSsh.Result listed = ssh.run(target, LaunchCommand.listServers(stateDirectory()), Duration.ofSeconds(20));
        List<Listed> reported = new ArrayList<>();
        for (String line : listed.stdout().split("\n")) {
            String[] f = line.split("\t", -1);
            if (f.length < 4 || !KEY.matcher(f[0]).matches()) {
                continue;
            }
            Long pid = f[1].matches("[0-9]{1,10}") ? Long.parseLong(f[1]) : null;
            reported.add(new Listed(f[0], pid, f[2].equals("alive"), f[3].isEmpty() ? null : f[3]));
        }
        pool.preparedQuery("INSERT INTO " + observations + " (target_id, observed_at, observed_by, listing)"
                        + " VALUES ($1, now(), $2, $3) ON CONFLICT (target_id) DO UPDATE SET observed_at = excluded.observed_at,"
                        + " observed_by = excluded.observed_by, listing = excluded.listing")
                .execute(io.vertx.mutiny.sqlclient.Tuple.of(target.id(), observedBy, json(reported)))
                .await()
                .atMost(Duration.ofSeconds(10));
        return matched(target.id(), reported);
    }

    /** The target's newest stored observation, matched with the live workers now; empty when never observed. No SSH. */
    public Optional<Observation> observed(UUID targetId) {
        var rows = pool.preparedQuery(
                        "SELECT observed_at, observed_by, listing FROM " + observations + " WHERE target_id = $1")
                .execute(io.vertx.mutiny.sqlclient.Tuple.of(targetId))
                .await()
                .atMost(Duration.ofSeconds(10));
        if (rows.size() == 0) {
            return Optional.empty();
        }
        var row = rows.iterator().next();
        List<Listed> reported = new ArrayList<>();
        for (Object o : (io.vertx.core.json.JsonArray) row.getJson("listing")) {
            io.vertx.core.json.JsonObject e = (io.vertx.core.json.JsonObject) o;
            reported.add(new Listed(
                    e.getString("server_key"),
                    e.getLong("pid"),
                    e.getBoolean("alive", false),
                    e.getString("working_directory")));
        }
        return Optional.of(new Observation(
                row.getOffsetDateTime("observed_at"), row.getString("observed_by"), matched(targetId, reported)));
    }

    private static io.vertx.core.json.JsonArray json(List<Listed> reported) {
        io.vertx.core.json.JsonArray array = new io.vertx.core.json.JsonArray();
        for (Listed l : reported) {
            array.add(new io.vertx.core.json.JsonObject()
                    .put("server_key", l.serverKey())
                    .put("pid", l.pid())
                    .put("alive", l.alive())
                    .put("working_directory", l.workingDirectory()));
        }
        return array;
    }

    private List<AppServer> matched(UUID targetId, List<Listed> reported) {
        Map<String, WorkerStore.WorkerView> live = store.liveByServerKeys(
                        targetId, reported.stream().map(Listed::serverKey).toList())
                .await()
                .atMost(Duration.ofSeconds(10));
        List<AppServer> out = new ArrayList<>();
        for (Listed l : reported) {
            Optional<WorkerStore.WorkerView> worker = Optional.ofNullable(live.get(l.serverKey()));
            out.add(new AppServer(
                    l.serverKey(),
                    l.pid(),
                    l.alive(),
                    l.workingDirectory(),
                    worker.map(WorkerStore.WorkerView::id).orElse(null),
                    worker.map(WorkerStore.WorkerView::sessionId).orElse(null),
                    worker.map(WorkerStore.WorkerView::state).orElse(null),
                    worker.isEmpty() && l.alive(),
                    !l.alive()));
        }
        return out;
    }

    /** Removes the state of every stale app-server on the host that no live worker uses (blocking). */
    public Cleaned clean(Inventory.Target target, String by) throws IOException {
        List<String> removed = new ArrayList<>();
        List<String> kept = new ArrayList<>();
        for (AppServer s : list(target, by)) {
            if (!s.stale()) {
                continue;
            }
            if (s.workerId() != null) {
                kept.add(s.serverKey()); // its worker reattaches and starts a new app-server under the same key
                continue;
            }
            PinnedSsh.Result r =
                    ssh.run(target, LaunchCommand.cleanServer(stateDirectory(), s.serverKey()), Duration.ofSeconds(20));
            (r.stdout().contains("removed") ? removed : kept).add(s.serverKey());
        }
        if (!removed.isEmpty()) {
            LOG.infof("stale app-server state removed on %s: %s", target.name(), removed);
            list(target, by); // the stored observation shows what is left
        }
        return new Cleaned(target.id(), target.name(), removed, kept);
    }

    private void sweep() {
        try {
            for (UUID targetId : store.targetsUsedSince(
                            java.time.OffsetDateTime.now().minusDays(1))
                    .await()
                    .indefinitely()) {
                Optional<Inventory.Target> target =
                        inventory.target(targetId).await().indefinitely();
                if (target.isEmpty() || target.get().removed() || target.get().hostPublicKey() == null) {
                    continue;
                }
                try {
                    clean(target.get(), "system:app-server-sweep");
                } catch (IOException | RuntimeException e) {
                    LOG.debugf(
                            "app-server sweep of %s skipped: %s", target.get().name(), e.toString());
                }
            }
        } catch (RuntimeException e) {
            LOG.warnf("app-server sweep failed: %s", e.toString());
        }
    }

    private String stateDirectory() {
        return config.codex().stateDirectory().orElse(null);
    }
}
