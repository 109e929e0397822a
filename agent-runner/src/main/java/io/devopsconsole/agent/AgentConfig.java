package io.devopsconsole.agent;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.Optional;

/** Settings of the agent-runner ({@code devops.agent.*}). */
@ConfigMapping(prefix = "devops.agent")
public interface AgentConfig {

    /** Names this runner instance in worker records. */
    String instanceId();

    /** A turn with no app-server activity for this long is interrupted and reported as timed out. */
    @WithDefault("PT60S")
    Duration inactivityTimeout();

    /** After an interrupt (by timeout or by an operator), how long the app-server has to end the turn before the worker is dropped. */
    @WithDefault("PT10S")
    Duration interruptGrace();

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
