package io.devopsconsole.session.notify;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.time.OffsetDateTime;
import org.jboss.logging.Logger;

/**
 * Sends due notifications: every {@code devops.notify.interval} it claims what is due (any replica; a
 * row is claimed by one), sends each on its channel, and marks it sent or schedules the next attempt.
 * The time from the approval's request to its delivery is recorded ({@code session.notify.delay}).
 */
@ApplicationScoped
public class Notifier {

    private static final Logger LOG = Logger.getLogger(Notifier.class);

    private final NotificationStore store;
    private final Channels channels;
    private final Vertx vertx;
    private final NotifyConfig config;
    private final Timer delay;
    private long timer = -1;
    private volatile boolean busy;

    public Notifier(
            NotificationStore store, Channels channels, Vertx vertx, NotifyConfig config, MeterRegistry meters) {
        this.store = store;
        this.channels = channels;
        this.vertx = vertx;
        this.config = config;
        this.delay = Timer.builder("session.notify.delay")
                .description("From an approval's request to its notification's delivery")
                .publishPercentiles(0.5, 0.99)
                .register(meters);
    }

    void start(@Observes StartupEvent event) {
        if (!channels.enabled().isEmpty()) {
            timer = vertx.setPeriodic(config.interval().toMillis(), id -> tick());
        }
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
        store.claimDue(50)
                .onItem()
                .transformToMulti(due -> Multi.createFrom().iterable(due))
                .onItem()
                .transformToUniAndMerge(d -> channels.send(d)
                        .flatMap(v -> {
                            delay.record(Duration.between(d.requestedAt(), OffsetDateTime.now()));
                            return store.sent(d);
                        })
                        .onFailure()
                        .recoverWithUni(f -> {
                            LOG.warnf(
                                    "notification of approval %s on %s, attempt %d: %s",
                                    d.approvalId(), d.channel(), d.attempts(), f.getMessage());
                            return store.failed(d, f.getMessage());
                        }))
                .collect()
                .last()
                .subscribe()
                .with(done -> busy = false, f -> {
                    busy = false;
                    LOG.warnf("sending notifications failed (%s); retried at the next tick", f.toString());
                });
    }
}
