package io.devopsconsole.audit.record;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/** Settings of the audit log ({@code devops.audit.*}). */
@ConfigMapping(prefix = "devops.audit")
public interface AuditConfig {

    Retention retention();

    /**
     * How long the broker may hold the audit consumers' fetches to gather a batch ({@code devops.audit.ingest-wait-ms},
     * milliseconds; each domain topic's consumer uses it as {@code fetch.max.wait.ms}, with {@code fetch.min.bytes}
     * of 1 MiB). An event is recorded at most this much later than at once; in exchange one transaction records what
     * a turn or an operator's action produced together, instead of one each, on the cores the turn itself needs
     * (ADR 0036). 0 records each event as soon as it arrives.
     */
    @io.smallrye.config.WithName("ingest-wait-ms")
    @WithDefault("1000")
    int ingestWaitMs();

    /** Events outside producers post ({@code devops.audit.direct-posts.*}), per user (read by DirectPostBudget). */
    @io.smallrye.config.WithName("direct-posts")
    DirectPosts directPosts();

    interface DirectPosts {
        /** Posts a user may make at once. */
        @WithDefault("60")
        int burst();

        /** Posts a user's budget regains per minute. */
        @io.smallrye.config.WithName("per-minute")
        @WithDefault("600")
        int perMinute();
    }

    interface Retention {
        /** Records older than this are pruned; unset keeps every record. */
        Optional<Duration> maxAge();

        /** How often the policy is applied. */
        @WithDefault("1h")
        Duration every();

        /** Records pruned per step (one transaction, one anchor, one describing record each). */
        @WithDefault("50000")
        int batch();

        /**
         * The youngest age the database lets anything prune (applied by the schema owner at
         * migration time, R__retention_floor.sql); max-age below it is refused at every run.
         */
        Duration floor();
    }
}
