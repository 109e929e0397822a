package io.devopsconsole.agent.worker;

import io.devopsconsole.agent.AgentConfig;
import io.devopsconsole.agent.inventory.Inventory;
import io.devopsconsole.agent.ssh.SshConnector;
import io.devopsconsole.events.agent.AgentCommand;
import io.devopsconsole.events.agent.StopWorker;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The sessions this runner instance drives (one {@link SessionDriver} each, created by the first
 * command that arrives for the session), and the once-a-second tick that checks their turns for
 * inactivity. On start, workers an earlier run of this instance left live are marked lost (a
 * stdio worker ends with its connection); on shutdown, every worker is stopped.
 */
@ApplicationScoped
public class Drivers {

    private static final Logger LOG = Logger.getLogger(Drivers.class);

    private final Map<UUID, SessionDriver> drivers = new ConcurrentHashMap<>();
    private final SessionDriver.Deps deps;
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "session-ticker");
        t.setDaemon(true);
        return t;
    });

    public Drivers(Inventory inventory, SshConnector ssh, StreamPublisher publisher, WorkerStore store, AgentConfig config) {
        this.deps = new SessionDriver.Deps(inventory, ssh, publisher, store, config);
    }

    void start(@Observes StartupEvent event) {
        int orphaned = deps.store().markOrphaned(deps.config().instanceId()).await().indefinitely();
        if (orphaned > 0) {
            LOG.infof("%d worker(s) of an earlier run of runner %s marked lost", orphaned, deps.config().instanceId());
        }
        ticker.scheduleWithFixedDelay(() -> drivers.values().forEach(SessionDriver::tick), 1, 1, TimeUnit.SECONDS);
    }

    void stop(@Observes ShutdownEvent event) {
        ticker.shutdownNow();
        drivers.values().forEach(d -> d.shutdown("the agent-runner is shutting down"));
        deps.publisher().flush();
    }

    public void submit(AgentCommand command) {
        drivers.computeIfAbsent(command.sessionId(), id -> new SessionDriver(id, deps)).submit(command);
    }

    /** Asks the driver running this worker to stop it; false when no driver here runs it. */
    public boolean stopWorker(UUID workerId, String requestedBy) {
        Optional<SessionDriver> driver = drivers.values().stream()
                .filter(d -> d.worker() != null && d.worker().id().equals(workerId)).findFirst();
        driver.ifPresent(d -> d.submit(new StopWorker(d.sessionId(), requestedBy, "stopped through the workers API")));
        return driver.isPresent();
    }
}
