package io.devopsconsole.session;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Settings of session-service ({@code devops.session.*}). */
@ConfigMapping(prefix = "devops.session")
public interface SessionConfig {

    /** How long an approval waits for a decision before it expires (and the runner is told "denied"). */
    @WithDefault("PT10M")
    Duration approvalTimeout();

    /** Stream records beyond a gap wait this long for the missing ones before the gap is skipped (and noted). */
    @WithDefault("PT10S")
    Duration streamGapTimeout();

    /** How often overdue approvals expire and parked stream records past the gap timeout are flushed. */
    @WithDefault("PT2S")
    Duration housekeepingInterval();

    /**
     * An agent-runner whose presence heartbeats stop for this long is reported dead to the viewers of
     * the sessions it drove (another runner takes them over when Kafka's group expires it).
     */
    @WithDefault("PT1.5S")
    Duration runnerSilentAfter();

    /** The most of one command's output (characters) the whole-output endpoint returns. */
    @WithDefault("1048576")
    int commandOutputLimit();

    Sse sse();

    Attachments attachments();

    /** The console's own log records kept per session (ADR 0031). */
    Logs logs();

    interface Logs {
        /** The newest records kept per session; older ones are deleted as new ones arrive. */
        @WithDefault("5000")
        int keepPerSession();
    }

    /** Files attached to a session (ADR 0030). */
    interface Attachments {
        /**
         * The largest file, in bytes (192 KiB by default: within the 256 KiB request limit every service
         * has, and small enough to travel to the runner in one command record).
         */
        @WithDefault("196608")
        int maxBytes();

        /** The media types accepted; each is checked against the content (text must be UTF-8 without NUL). */
        @WithDefault("text/plain,text/markdown,text/csv,text/x-log,application/json,application/yaml,"
                + "application/x-yaml,text/yaml,application/xml,text/xml,application/toml,image/png,image/jpeg,"
                + "image/gif,image/webp,application/pdf,application/gzip,application/zip,application/x-tar")
        java.util.List<String> mediaTypes();
    }

    interface Sse {
        /** A comment line is sent this often on an idle stream. */
        @WithDefault("PT15S")
        Duration heartbeat();

        /** Undelivered events one viewer may hold before it is told to reconnect (and replay from storage). */
        @WithDefault("2000")
        int buffer();
    }
}
