package io.devopsconsole.audit.record;

import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How many events one caller may post directly: a token bucket per user ({@code burst} at once,
 * refilled at {@code per-minute}). The chain is one lock shared by every producer, so one script
 * posting in a loop must not crowd out the console's own events.
 */
@ApplicationScoped
public class DirectPostBudget {

    private final int burst;
    private final double perNano;
    private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

    public DirectPostBudget(AuditConfig config) {
        this.burst = config.directPosts().burst();
        this.perNano = config.directPosts().perMinute()
                / (double) Duration.ofMinutes(1).toNanos();
    }

    /** Takes one post from {@code caller}'s budget; returns how long to wait when there is none (zero: go ahead). */
    public Duration take(String caller) {
        long now = System.nanoTime();
        Bucket bucket = buckets.compute(
                caller, (k, b) -> (b == null ? new Bucket(burst, now) : b.refill(now, burst, perNano)).take());
        if (bucket.granted) {
            return Duration.ZERO;
        }
        return Duration.ofNanos((long) Math.ceil((1 - bucket.tokens) / perNano));
    }

    private record Bucket(double tokens, long at, boolean granted) {
        Bucket(double tokens, long at) {
            this(tokens, at, false);
        }

        Bucket refill(long now, int burst, double perNano) {
            return new Bucket(Math.min(burst, tokens + (now - at) * perNano), now, false);
        }

        Bucket take() {
            return tokens >= 1 ? new Bucket(tokens - 1, at, true) : new Bucket(tokens, at, false);
        }
    }
}
