package io.devopsconsole.session.approval;

import io.devopsconsole.session.stream.StreamStore;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import org.jboss.logging.Logger;

/** Every few seconds: expires overdue approvals and flushes stream records parked past the gap timeout. */
@ApplicationScoped
public class SessionHousekeeping {

    private static final Logger LOG = Logger.getLogger(SessionHousekeeping.class);

    private final Approvals approvals;
    private final StreamStore streams;
    private final Vertx vertx;
    private final Duration every;
    private long timer = -1;
    private volatile boolean busy;
    /** Seconds the oldest pending approval has waited, as of the last tick (alerted on: an agent waits for a person). */
    private final java.util.concurrent.atomic.AtomicLong oldestPendingMillis =
            new java.util.concurrent.atomic.AtomicLong();

    public SessionHousekeeping(
            Approvals approvals,
            StreamStore streams,
            Vertx vertx,
            io.devopsconsole.session.SessionConfig config,
            io.micrometer.core.instrument.MeterRegistry meters) {
        io.micrometer.core.instrument.Gauge.builder(
                        "session.approvals.oldest.pending.seconds", oldestPendingMillis, m -> m.get() / 1000.0)
                .description("How long the oldest pending approval has waited")
                .register(meters);
        Duration every = config.housekeepingInterval();
        this.approvals = approvals;
        this.streams = streams;
        this.vertx = vertx;
        this.every = every;
    }

    void start(@Observes StartupEvent event) {
        timer = vertx.setPeriodic(every.toMillis(), id -> tick());
    }

    void stop(@Observes ShutdownEvent event) {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
    }

    private void tick() {
        if (busy) {
            return;
        }
        busy = true;
        approvals
                .expireDue()
                .flatMap(n -> approvals.oldestPendingSeconds())
                .invoke(waited -> oldestPendingMillis.set((long) (waited * 1000)))
                .flatMap(n -> streams.sessionsWithExpiredGaps())
                .flatMap(ids -> io.smallrye.mutiny.Multi.createFrom()
                        .iterable(ids)
                        .onItem()
                        .transformToUniAndConcatenate(
                                id -> streams.store(id, java.util.List.of()).replaceWith(id))
                        .collect()
                        .asList())
                .subscribe()
                .with(done -> busy = false, f -> {
                    busy = false;
                    LOG.warnf("session housekeeping failed (%s); retried at the next tick", f.toString());
                });
    }
}
