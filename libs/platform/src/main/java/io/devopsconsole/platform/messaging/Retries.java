package io.devopsconsole.platform.messaging;

import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Retrying a consumer's database work in place. Mutiny schedules back-off retries on a worker
 * thread, where Hibernate Reactive refuses to run; every attempt here is re-dispatched onto the
 * Vert.x context the message arrived on, so a transient failure stays transient.
 */
public final class Retries {

    private static final Logger LOG = Logger.getLogger(Retries.class);

    private Retries() {}

    /** Retries {@code work} with back-off (200 ms up to 10 s) for as long as {@code transient} says so. */
    public static <T> Uni<T> onContext(String what, Supplier<Uni<T>> work, Predicate<Throwable> isTransient) {
        Context context = Vertx.currentContext();
        Uni<T> attempt = Uni.createFrom().deferred(work::get);
        if (context != null) {
            attempt = attempt.runSubscriptionOn(task -> context.runOnContext(v -> task.run()));
        }
        return attempt.onFailure(isTransient)
                .invoke(f -> LOG.warnf("%s failed, retrying: %s", what, f.toString()))
                .onFailure(isTransient)
                .retry()
                .withBackOff(Duration.ofMillis(200), Duration.ofSeconds(10))
                .indefinitely();
    }

    /**
     * The one retry policy of consumers that store what they read (ADR 0014): transient failures are
     * retried in place with back-off for as long as they last; a failure about the data ({@link Poison})
     * is tried {@link Poison#ATTEMPTS} times in all and then ends the returned Uni with it, for the
     * caller to isolate the record.
     */
    public static <T> Uni<T> untilStoredOrPoison(String what, Supplier<Uni<T>> work) {
        return onContext(
                what,
                () -> Uni.createFrom()
                        .<T>deferred(work::get)
                        .onFailure(Poison::isPoison)
                        .retry()
                        .atMost(Poison.ATTEMPTS - 1),
                f -> !Poison.isPoison(f));
    }
}
