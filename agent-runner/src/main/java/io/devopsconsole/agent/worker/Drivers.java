package io.devopsconsole.agent.worker;

import io.devopsconsole.agent.AgentConfig;
import io.devopsconsole.agent.inventory.Inventory;
import io.devopsconsole.agent.ssh.SshConnector;
import io.devopsconsole.events.Topics;
import io.devopsconsole.events.agent.AgentCommand;
import io.devopsconsole.events.agent.StopWorker;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Utils;
import org.jboss.logging.Logger;

/**
 * The sessions this runner instance drives (one {@link SessionDriver} each). A driver is created
 * by the first command for a session, or when Kafka assigns this instance the partition of a
 * session that has live workers (another instance died, left, or this one just started): it then
 * takes the session over and reattaches them. When a partition is revoked (rebalance, clean
 * shutdown), its sessions' drivers hand over: durable app-servers keep running for the next owner.
 * A once-a-second tick drives heartbeats, reattach attempts, stuck-command and inactivity checks.
 * The commands channel uses the cooperative sticky assignor, so a rebalance only moves the
 * partitions that change owner (the other sessions are not handed over and back).
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
    private final ExecutorService rebalance = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "session-rebalance");
        t.setDaemon(true);
        return t;
    });
    private final Set<Integer> assigned = ConcurrentHashMap.newKeySet();
    private volatile int partitions;

    public Drivers(
            Inventory inventory,
            SshConnector ssh,
            StreamPublisher publisher,
            WorkerStore store,
            CommandLog log,
            AgentConfig config,
            MeterRegistry meters) {
        this.deps = new SessionDriver.Deps(inventory, ssh, publisher, store, log, config, meters);
        meters.gauge("agent.sessions.driven", drivers, Map::size);
    }

    void start(@Observes StartupEvent event) {
        // workers an earlier run of this instance left live are taken over with their sessions' partitions
        // (by whichever instance gets them): durable ones are reattached, stdio ones end with their turn failed
        ticker.scheduleWithFixedDelay(
                () -> {
                    retireIdle();
                    drivers.values().forEach(SessionDriver::tick);
                    takeStopRequests();
                },
                1,
                1,
                TimeUnit.SECONDS);
    }

    /**
     * Retires the drivers of sessions that have had no worker, turn or queued message for a while (a
     * stopped session's, or one whose worker ended): without this every session this runner ever drove
     * kept a thread, a tick a second and its stream numbering here until the runner stopped.
     */
    private void retireIdle() {
        long now = System.nanoTime();
        Duration after = deps.config().idleDriverRetiredAfter();
        for (UUID id : List.copyOf(drivers.keySet())) {
            SessionDriver[] retired = new SessionDriver[1];
            drivers.computeIfPresent(id, (k, d) -> {
                if (d.retirable(now, after)) {
                    retired[0] = d;
                    return null;
                }
                return d;
            });
            if (retired[0] != null) {
                retired[0].retire();
                io.devopsconsole.platform.logging.SessionLogs.info(
                        LOG, id, "session %s: no worker, turn or message for %s; its driver is retired", id, after);
            }
        }
    }

    /** Whether a read of recorded stop requests is under way (ticks never wait for it). */
    private final java.util.concurrent.atomic.AtomicBoolean readingStops =
            new java.util.concurrent.atomic.AtomicBoolean();

    void stop(@Observes ShutdownEvent event) {
        ticker.shutdownNow();
        drivers.values()
                .forEach(d -> d.shutdown("the agent-runner " + deps.config().instanceId() + " is shutting down"));
        drivers.clear();
        deps.publisher().flush();
    }

    /** The sessions this runner drives now. */
    public Set<UUID> sessions() {
        return drivers.keySet();
    }

    public void submit(AgentCommand command, UUID eventId) {
        submit(command, eventId, io.opentelemetry.context.Context.root());
    }

    /** As {@link #submit(AgentCommand, UUID)}, continuing the trace the command carried. */
    public void submit(AgentCommand command, UUID eventId, io.opentelemetry.context.Context trace) {
        // posted under the map's lock for the session: a driver being retired (retireIdle) never drops it
        drivers.compute(command.sessionId(), (id, d) -> {
            SessionDriver to = d != null ? d : newDriver(id);
            to.submit(command, eventId, trace);
            return to;
        });
    }

    private SessionDriver newDriver(UUID sessionId) {
        return new SessionDriver(sessionId, deps, d -> drivers.remove(d.sessionId(), d));
    }

    private SessionDriver driver(UUID sessionId) {
        return drivers.computeIfAbsent(sessionId, this::newDriver);
    }

    /** Asks the driver running this worker to stop it; false when no driver here runs it. */
    public boolean stopWorker(UUID workerId, String requestedBy) {
        Optional<SessionDriver> driver = drivers.values().stream()
                .filter(d -> d.workerIds().contains(workerId))
                .findFirst();
        driver.ifPresent(
                d -> d.submit(new StopWorker(d.sessionId(), requestedBy, "stopped through the workers API"), null));
        return driver.isPresent();
    }

    /**
     * Carries out the stops other replicas recorded for workers this runner drives (the front door sends
     * a stop to any replica); a request for a worker no driver here runs yet stays for the next tick.
     * Never waits on the database: the ticker thread also ticks every session's health, so the read is
     * started here and acted on when it answers (one read at a time; one that does not answer within
     * 5 s is given up, and the next tick reads again).
     */
    private void takeStopRequests() {
        if (!readingStops.compareAndSet(false, true)) {
            return; // the previous tick's read has not answered yet
        }
        deps.store()
                .stopRequests(deps.config().instanceId())
                .ifNoItem()
                .after(Duration.ofSeconds(5))
                .fail()
                .subscribe()
                .with(
                        requests -> {
                            readingStops.set(false);
                            for (WorkerStore.StopRequest r : requests) {
                                if (stopWorker(r.workerId(), r.requestedBy())) {
                                    deps.store()
                                            .stopRequestTaken(r.workerId())
                                            .subscribe()
                                            .with(
                                                    v -> {},
                                                    f -> LOG.debugf(
                                                            "stop request of worker %s not cleared: %s (carried out again"
                                                                    + " at the next tick: a stop is idempotent)",
                                                            r.workerId(), f.toString()));
                                }
                            }
                        },
                        f -> {
                            readingStops.set(false);
                            LOG.debugf("stop requests not read: %s", f.toString());
                        });
    }

    /** The partition of the commands topic that carries a session's commands (Kafka's default partitioner). */
    static int partitionOf(UUID sessionId, int partitions) {
        return Utils.toPositive(Utils.murmur2(sessionId.toString().getBytes(StandardCharsets.UTF_8))) % partitions;
    }

    /** Kafka gave this instance these partitions of the commands topic: take over their sessions' live workers. */
    void assigned(Collection<TopicPartition> given, int partitionCount) {
        partitions = partitionCount;
        given.stream()
                .filter(tp -> tp.topic().equals(Topics.AGENT_COMMANDS))
                .forEach(tp -> assigned.add(tp.partition()));
        rebalance.execute(() -> {
            try {
                List<UUID> sessions =
                        deps.store().sessionsWithLiveWorkers().await().indefinitely();
                for (UUID session : sessions) {
                    if (assigned.contains(partitionOf(session, partitionCount)) && !drivers.containsKey(session)) {
                        io.devopsconsole.platform.logging.SessionLogs.info(
                                LOG,
                                session,
                                "session %s: partition assigned to runner %s; taking its workers over",
                                session,
                                deps.config().instanceId());
                        driver(session);
                    }
                }
            } catch (RuntimeException e) {
                LOG.errorf(e, "taking over the sessions of assigned partitions failed");
            }
        });
    }

    /** Kafka took these partitions away: hand their sessions over (durable app-servers keep running). */
    void revoked(Collection<TopicPartition> taken) {
        Set<Integer> gone = taken.stream()
                .filter(tp -> tp.topic().equals(Topics.AGENT_COMMANDS))
                .map(TopicPartition::partition)
                .collect(Collectors.toSet());
        assigned.removeAll(gone);
        int count = partitions;
        if (count == 0 || gone.isEmpty()) {
            return;
        }
        for (SessionDriver d : List.copyOf(drivers.values())) {
            if (gone.contains(partitionOf(d.sessionId(), count))) {
                drivers.remove(d.sessionId(), d);
                d.shutdown("partition moved away from runner " + deps.config().instanceId());
            }
        }
    }
}
