package io.devopsconsole.registry.access;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.ShutdownEvent;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * TCP reachability of host:port: a connect with a short timeout on a small dedicated pool (never
 * an event-loop thread; name resolution happens there too), cached for a few seconds, with one
 * check in flight per endpoint however many readers ask. A reader's cancellation never reaches the
 * shared check, and a check never ends exceptionally (a failure is an "unreachable" observation).
 */
@ApplicationScoped
public class ReachabilityProbe {

    /** Settings ({@code devops.reachability.*}). */
    @ConfigMapping(prefix = "devops.reachability")
    public interface Config {
        /** Connect timeout of one check. */
        @WithDefault("1500ms")
        Duration timeout();

        /** How long a result is reused. */
        @WithDefault("5s")
        Duration cacheTtl();

        /** Checks that may run at once. */
        @WithDefault("16")
        int parallelism();
    }

    /** One observation. {@code detail} says why a host is unreachable (refused, timed out, unknown name). */
    public record Result(boolean reachable, Instant checkedAt, long latencyMillis, String detail) {}

    private record Entry(CompletableFuture<Result> result, Instant started) {}

    private final Config config;
    private final ExecutorService pool;
    private final ConcurrentHashMap<String, Entry> cache = new ConcurrentHashMap<>();
    private final Timer checks;
    private final Clock clock = Clock.systemUTC();

    public ReachabilityProbe(Config config, MeterRegistry meters) {
        this.config = config;
        AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(config.parallelism(), r -> {
            Thread t = new Thread(r, "reachability-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.checks = Timer.builder("registry.reachability.checks")
                .description("TCP reachability checks performed")
                .register(meters);
    }

    public Uni<Result> check(String host, int port) {
        String key = host + "|" + port;
        Instant now = clock.instant();
        Entry entry = cache.compute(key, (k, existing) -> {
            if (existing != null
                    && !existing.result().isCompletedExceptionally()
                    && (!existing.result().isDone() || fresh(existing, now))) {
                return existing;
            }
            return new Entry(CompletableFuture.supplyAsync(() -> connect(host, port), pool), now);
        });
        // Each reader gets its own copy: a reader that goes away (a client dropping its request cancels
        // its Uni, and Mutiny cancels the stage it was given) cancels only its copy, never the shared check.
        return Uni.createFrom().completionStage(() -> entry.result().copy());
    }

    private boolean fresh(Entry entry, Instant now) {
        Result done = entry.result().getNow(null);
        Instant at = done == null ? entry.started() : done.checkedAt();
        return Duration.between(at, now).compareTo(config.cacheTtl()) < 0;
    }

    private Result connect(String host, int port) {
        long start = System.nanoTime();
        try (Socket socket = new Socket()) {
            socket.connect(
                    new InetSocketAddress(host, port), (int) config.timeout().toMillis());
            return result(true, start, null);
        } catch (java.net.UnknownHostException e) {
            return result(false, start, "name does not resolve");
        } catch (java.net.SocketTimeoutException e) {
            return result(false, start, "no answer within " + config.timeout().toMillis() + " ms");
        } catch (java.net.ConnectException e) {
            return result(false, start, "connection refused");
        } catch (IOException | RuntimeException e) {
            // never an exceptional future in the shared cache: every failure is an observation
            return result(false, start, e.getClass().getSimpleName());
        }
    }

    private Result result(boolean reachable, long startNanos, String detail) {
        long nanos = System.nanoTime() - startNanos;
        checks.record(Duration.ofNanos(nanos));
        return new Result(reachable, clock.instant(), nanos / 1_000_000, detail);
    }

    void stop(@Observes ShutdownEvent event) {
        pool.shutdownNow();
    }
}
