package io.devopsconsole.platform.outbox;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.time.Duration;

/** Settings of the outbox relay ({@code devops.outbox.*}). */
@ConfigMapping(prefix = "devops")
public interface OutboxConfig {

    /** The service's own database schema; it holds the outbox_event and processed_event tables. */
    String schema();

    Relay outbox();

    /** HTTP request limits of every service ({@code devops.http.*}; read by {@code BodyLimit}). */
    Http http();

    interface Http {
        /** A request body must have fully arrived within this; a slower one is answered 408. */
        @WithName("body-read-timeout")
        @WithDefault("30s")
        Duration bodyReadTimeout();
    }

    interface Relay {
        /** Whether this instance publishes outbox rows. Several instances may; rows are claimed with SKIP LOCKED. */
        @WithDefault("true")
        boolean enabled();

        /** Rows claimed per transaction. */
        @WithName("batch-size")
        @WithDefault("500")
        int batchSize();

        /** Fallback poll when no NOTIFY arrives (the trigger wakes the relay at once on commit). */
        @WithName("poll-interval")
        @WithDefault("2s")
        Duration pollInterval();

        /** How long one publish may wait for the broker before the batch is retried. */
        @WithName("send-timeout")
        @WithDefault("10s")
        Duration sendTimeout();

        /** Published rows are kept this long for inspection, then deleted. */
        @WithDefault("P1D")
        Duration retention();
    }
}
