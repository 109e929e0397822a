package io.devopsconsole.agent.worker;

import io.devopsconsole.agent.AgentConfig;
import io.devopsconsole.agent.codex.LaunchCommand;
import io.devopsconsole.agent.inventory.Inventory;
import io.devopsconsole.agent.ssh.SshConnector;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

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
    public record AppServer(String serverKey, Long pid, boolean alive, String workingDirectory, UUID workerId, UUID sessionId,
                            String workerState, boolean orphan, boolean stale) {
    }

    /** What a clean did: the keys whose stale state was removed, and the ones left (running, or used by a live worker). */
    public record Cleaned(UUID targetId, String targetName, List<String> removed, List<String> kept) {
    }

    private final SshConnector ssh;
    private final WorkerStore store;
    private final Inventory inventory;
    private final AgentConfig config;
    private final ScheduledExecutorService sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "app-server-sweep");
        t.setDaemon(true);
        return t;
    });

    public AppServers(SshConnector ssh, WorkerStore store, Inventory inventory, AgentConfig config) {
        this.ssh = ssh;
        this.store = store;
        this.inventory = inventory;
        this.config = config;
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

    /** The app-servers on the target's host (blocking: one SSH connection). */
    public List<AppServer> list(Inventory.Target target) throws IOException {
        SshConnector.Result listed = ssh.run(target, LaunchCommand.listServers(stateDirectory()), Duration.ofSeconds(20));
        List<AppServer> out = new ArrayList<>();
        for (String line : listed.stdout().split("\n")) {
            String[] f = line.split("\t", -1);
            if (f.length < 4 || !KEY.matcher(f[0]).matches()) {
                continue;
            }
            Long pid = f[1].matches("[0-9]{1,10}") ? Long.parseLong(f[1]) : null;
            Optional<WorkerStore.WorkerView> worker = store.liveByServerKey(target.id(), f[0]).await().indefinitely();
            boolean alive = f[2].equals("alive");
            out.add(new AppServer(f[0], pid, alive, f[3].isEmpty() ? null : f[3], worker.map(WorkerStore.WorkerView::id).orElse(null),
                    worker.map(WorkerStore.WorkerView::sessionId).orElse(null), worker.map(WorkerStore.WorkerView::state).orElse(null),
                    worker.isEmpty() && alive, !alive));
        }
        return out;
    }

    /** Removes the state of every stale app-server on the host that no live worker uses (blocking). */
    public Cleaned clean(Inventory.Target target) throws IOException {
        List<String> removed = new ArrayList<>();
        List<String> kept = new ArrayList<>();
        for (AppServer s : list(target)) {
            if (!s.stale()) {
                continue;
            }
            if (s.workerId() != null) {
                kept.add(s.serverKey()); // its worker reattaches and starts a new app-server under the same key
                continue;
            }
            SshConnector.Result r = ssh.run(target, LaunchCommand.cleanServer(stateDirectory(), s.serverKey()), Duration.ofSeconds(20));
            (r.stdout().contains("removed") ? removed : kept).add(s.serverKey());
        }
        if (!removed.isEmpty()) {
            LOG.infof("stale app-server state removed on %s: %s", target.name(), removed);
        }
        return new Cleaned(target.id(), target.name(), removed, kept);
    }

    private void sweep() {
        try {
            for (UUID targetId : store.targetsUsedSince(java.time.OffsetDateTime.now().minusDays(1)).await().indefinitely()) {
                Optional<Inventory.Target> target = inventory.target(targetId).await().indefinitely();
                if (target.isEmpty() || target.get().removed() || target.get().hostPublicKey() == null) {
                    continue;
                }
                try {
                    clean(target.get());
                } catch (IOException | RuntimeException e) {
                    LOG.debugf("app-server sweep of %s skipped: %s", target.get().name(), e.toString());
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
