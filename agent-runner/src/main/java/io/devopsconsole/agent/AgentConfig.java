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

    Ssh ssh();

    Codex codex();

    interface Ssh {
        /** The control-plane identity: an OpenSSH private key file used for every target without an override. */
        Optional<String> identityFile();

        /** Where per-target override keys live, one file per key reference (names: letters, digits, . _ -). */
        Optional<String> keyDirectory();

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
    }
}
