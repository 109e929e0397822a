package io.devopsconsole.platform.lifecycle;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Every service says why it stops: the start is logged with the process id and heap limit; an
 * orderly stop (SIGTERM, SIGINT, Quarkus shutdown) with how long the service ran; a stop that did
 * not come through Quarkus (System.exit, the JVM giving up) from a JVM shutdown hook; and a thread
 * that dies of an uncaught error (an OutOfMemoryError on a worker thread, say) is logged with its
 * stack instead of disappearing. A SIGKILL (the kernel's OOM killer, {@code kill -9}) leaves no
 * line here by nature; {@code scripts/status} reports it from the exit status the launcher records.
 */
@ApplicationScoped
public class Lifecycle {

    private static final Logger LOG = Logger.getLogger(Lifecycle.class);

    private final String service;
    private final Instant started = Instant.now();
    private final AtomicBoolean orderly = new AtomicBoolean();

    public Lifecycle(@ConfigProperty(name = "quarkus.application.name") String service) {
        this.service = service;
    }

    void start(@Observes StartupEvent event) {
        LOG.infof(
                "%s started: pid %d, heap limit %d MiB, %d processors",
                service,
                ProcessHandle.current().pid(),
                Runtime.getRuntime().maxMemory() / (1024 * 1024),
                Runtime.getRuntime().availableProcessors());
        Thread.UncaughtExceptionHandler previous = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler((thread, error) -> {
            LOG.errorf(
                    error,
                    "%s: thread %s died of an uncaught %s",
                    service,
                    thread.getName(),
                    error.getClass().getName());
            if (previous != null) {
                previous.uncaughtException(thread, error);
            }
        });
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            if (!orderly.get()) {
                                // not through Quarkus: System.exit, a fatal error, or the JVM stopping on its own
                                System.err.printf(
                                        "%s %s stopping outside an orderly shutdown after %s (pid %d, uptime %d s)%n",
                                        Instant.now(),
                                        service,
                                        Duration.between(started, Instant.now()),
                                        ProcessHandle.current().pid(),
                                        ManagementFactory.getRuntimeMXBean().getUptime() / 1000);
                            }
                        },
                        "lifecycle-last-words"));
    }

    void stop(@Observes ShutdownEvent event) {
        orderly.set(true);
        LOG.infof(
                "%s stopping after %s: %s",
                service,
                Duration.between(started, Instant.now()).withNanos(0),
                event.isStandardShutdown()
                        ? "orderly shutdown (SIGTERM, SIGINT or a requested exit)"
                        : "non-standard shutdown (the runtime is exiting abnormally)");
    }
}
