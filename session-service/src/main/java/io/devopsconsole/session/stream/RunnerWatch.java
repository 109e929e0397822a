package io.devopsconsole.session.stream;

import io.devopsconsole.events.CloudEventCodec;
import io.devopsconsole.events.agent.RunnerHeartbeat;
import io.devopsconsole.platform.messaging.InboundEvents;
import io.devopsconsole.session.SessionConfig;
import io.devopsconsole.session.session.SessionService;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Watches the agent-runners' presence heartbeats (every replica reads them live) and tells the
 * viewers of a runner's sessions, with a note in each transcript, as soon as its heartbeats stop —
 * and again when it answers after all. Kafka moves the dead runner's sessions to another runner a
 * little later (its group membership expires), which the stream then shows as the reattach. The
 * note's id comes from the runner, session and last heartbeat, so replicas write it once.
 */
@ApplicationScoped
public class RunnerWatch {

    private static final Logger LOG = Logger.getLogger(RunnerWatch.class);
    private static final Duration FORGET_AFTER = Duration.ofMinutes(10);

    /** What this replica last heard from one runner. */
    private record Seen(long atNanos, OffsetDateTime at, List<UUID> sessions, boolean reported) {}

    private final Map<String, Seen> runners = new ConcurrentHashMap<>();
    private final SessionService sessions;
    private final Vertx vertx;
    private final Duration silentAfter;
    private final Counter lost;
    private long timer = -1;

    public RunnerWatch(SessionService sessions, Vertx vertx, SessionConfig config, MeterRegistry meters) {
        this.sessions = sessions;
        this.vertx = vertx;
        this.silentAfter = config.runnerSilentAfter();
        this.lost = Counter.builder("session.runners.silent")
                .description("agent-runners whose heartbeats stopped")
                .register(meters);
    }

    void start(@Observes StartupEvent event) {
        timer = vertx.setPeriodic(Math.max(100, silentAfter.toMillis() / 6), id -> check());
    }

    void stop(@Observes ShutdownEvent event) {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
    }

    @Incoming("agent-presence")
    public Uni<Void> heartbeat(ConsumerRecord<String, byte[]> record) {
        RunnerHeartbeat beat;
        try {
            if (!(CloudEventCodec.decode(InboundEvents.envelope(record)).orElse(null) instanceof RunnerHeartbeat b)) {
                return Uni.createFrom().voidItem();
            }
            beat = b;
        } catch (RuntimeException | io.devopsconsole.events.MalformedEventException e) {
            LOG.debugf("presence record skipped: %s", e);
            return Uni.createFrom().voidItem();
        }
        if (beat.stopping()) {
            runners.remove(beat.runner()); // an orderly shutdown: its sessions are handed over, not lost
            return Uni.createFrom().voidItem();
        }
        Seen before = runners.put(beat.runner(), new Seen(System.nanoTime(), beat.at(), beat.sessions(), false));
        if (before != null && before.reported()) {
            long silentMs = Duration.between(before.at(), beat.at()).toMillis();
            LOG.infof("agent-runner %s answers again after %d ms", beat.runner(), silentMs);
            for (UUID session : before.sessions()) {
                io.devopsconsole.platform.logging.SessionLogs.info(
                        LOG,
                        session,
                        "session %s: its agent-runner %s answers again after %d ms",
                        session,
                        beat.runner(),
                        silentMs);
                sessions.runnerNote(
                                session,
                                "runner-back:" + beat.runner() + ":" + beat.at(),
                                "runner_back",
                                beat.runner(),
                                "the agent-runner " + beat.runner() + " answers again after " + silentMs / 100 / 10.0
                                        + " s")
                        .subscribe()
                        .with(v -> {}, f -> LOG.debugf("runner note for %s not written: %s", session, f));
            }
        }
        return Uni.createFrom().voidItem();
    }

    private void check() {
        long now = System.nanoTime();
        for (Map.Entry<String, Seen> e : runners.entrySet()) {
            Seen seen = e.getValue();
            long silentNanos = now - seen.atNanos();
            if (silentNanos > FORGET_AFTER.toNanos()) {
                runners.remove(e.getKey(), seen);
                continue;
            }
            if (seen.reported() || silentNanos < silentAfter.toNanos()) {
                continue;
            }
            if (!runners.replace(e.getKey(), seen, new Seen(seen.atNanos(), seen.at(), seen.sessions(), true))) {
                continue;
            }
            lost.increment();
            String runner = e.getKey();
            long silentMs = silentNanos / 1_000_000;
            LOG.warnf(
                    "agent-runner %s silent for %d ms; telling the viewers of its %d session(s)",
                    runner, silentMs, seen.sessions().size());
            for (UUID session : seen.sessions()) {
                io.devopsconsole.platform.logging.SessionLogs.warn(
                        LOG,
                        session,
                        "session %s: its agent-runner %s has been silent for %d ms; its viewers are told",
                        session,
                        runner,
                        silentMs);
                sessions.runnerNote(
                                session,
                                "runner-lost:" + runner + ":" + seen.at(),
                                "runner_lost",
                                runner,
                                "the agent-runner " + runner
                                        + " driving this session stopped responding (no heartbeat for "
                                        + silentMs / 100 / 10.0 + " s); another runner takes the session over shortly")
                        .subscribe()
                        .with(v -> {}, f -> LOG.debugf("runner note for %s not written: %s", session, f));
            }
        }
    }
}
