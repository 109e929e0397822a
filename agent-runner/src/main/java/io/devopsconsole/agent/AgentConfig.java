package io.devopsconsole.agent;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/** Settings of the agent-runner ({@code devops.agent.*}). */
@ConfigMapping(prefix = "devops.agent")
public interface AgentConfig {

    /** Names this runner instance in worker records. */
    @io.smallrye.config.WithName("instance-id")
    java.util.Optional<String> configuredInstanceId();

    /**
     * This runner's name in worker rows, takeover notes and logs: {@code devops.agent.instance-id}
     * (the pod name on Kubernetes, from HOSTNAME), else this machine's host name and process id.
     */
    default String instanceId() {
        return configuredInstanceId().filter(s -> !s.isBlank()).orElse(LocalName.NAME);
    }

    /** The host name and process id of this JVM, worked out once. */
    final class LocalName {
        static final String NAME = compute();

        private LocalName() {}

        private static String compute() {
            String host;
            try {
                host = java.net.InetAddress.getLocalHost().getHostName();
            } catch (java.io.IOException e) {
                host = "localhost";
            }
            return host + "-" + ProcessHandle.current().pid();
        }
    }

    /** A turn with no app-server activity for this long is interrupted and reported as timed out. */
    @WithDefault("PT60S")
    Duration inactivityTimeout();

    /** After an interrupt (by timeout or by an operator), how long the app-server has to end the turn before the worker is dropped. */
    @WithDefault("PT10S")
    Duration interruptGrace();

    /**
     * A session's driver (its thread, its tick, its stream numbering) is retired after this long without a
     * worker, a turn or a queued message; the next command for the session starts a new one.
     */
    @WithDefault("PT60S")
    Duration idleDriverRetiredAfter();

    /** Stream sequence numbers reserved per database write (a runner that dies leaves at most this many unused). */
    @WithDefault("100")
    int seqBlock();

    /**
     * How workers run: {@code durable} (a long-lived app-server on the host, reached through
     * {@code app-server proxy}; it survives the runner's connection), {@code stdio} (the app-server
     * lives as long as one SSH channel), or {@code auto}: durable, and stdio where the host's codex
     * has no durable mode.
     */
    @WithDefault("auto")
    String transport();

    /** How long a durable worker whose connection dropped is tried again before it is given up as lost. */
    @WithDefault("PT2M")
    Duration reattachWindow();

    /** How often this runner says it is alive and which sessions it drives (console.agent.presence.v1). */
    @WithDefault("PT0.5S")
    Duration heartbeatEvery();

    /** A durable worker's app-server is pinged (WebSocket ping through the proxy) after this long without a word from it. */
    @WithDefault("PT1S")
    Duration pingAfter();

    /**
     * A ping unanswered for this long means the app-server is gone or the path to it is stalled: the
     * host is probed (is the process there?) and the cause reported on the stream, then the runner
     * reattaches (starting a new app-server when the old one died).
     */
    @WithDefault("PT2S")
    Duration silentAfter();

    /** How often stale durable app-server state (process gone, files left) is swept on recently used targets; 0 disables. */
    @WithDefault("PT15M")
    Duration appServerSweepEvery();

    /**
     * A turn for a project whose runtime profile (or bound target) this runner's inventory does not
     * know yet waits up to this long for the registry's events to arrive before it is refused: a
     * project created, bound and used at once (as the coordinator does) is not refused only because
     * this runner's projection is a moment behind the registry.
     */
    @WithDefault("PT10S")
    Duration inventoryCatchUp();

    /** A command that runs this long without output is reported on the stream as stuck (once per command). */
    @WithDefault("PT5M")
    Duration stuckCommandAfter();

    Ssh ssh();

    Codex codex();

    interface Ssh {
        /** The control-plane identity: an OpenSSH private key file used for every target without an override. */
        Optional<String> identityFile();

        @WithDefault("PT10S")
        Duration connectTimeout();

        /** SSH keep-alive interval (a dead connection is noticed within a few of these). */
        @WithDefault("PT15S")
        Duration keepAlive();
    }

    interface Codex {
        /** The codex program on targets (a name on the SSH user's PATH, or an absolute path). */
        @WithDefault("codex")
        String command();

        /** clientInfo.name in initialize (codex uses it as the originator of model requests). */
        @WithDefault("devops_console")
        String clientName();

        /** Where durable app-servers keep socket, pid and log files on a host (default: under the SSH user's home). */
        Optional<String> stateDirectory();
    }
}
