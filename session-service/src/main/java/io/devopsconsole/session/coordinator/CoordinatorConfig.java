package io.devopsconsole.session.coordinator;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/** Settings of the coordinator chat ({@code devops.coordinator.*}; ADR 0026). */
@ConfigMapping(prefix = "devops.coordinator")
public interface CoordinatorConfig {

    /** registry-service, called with the operator's own token. */
    @WithDefault("http://127.0.0.1:8081")
    String registryUrl();

    /** onboarding-service, called with the operator's own token. */
    @WithDefault("http://127.0.0.1:8084")
    String onboardingUrl();

    /** audit-service, called with the operator's own token. */
    @WithDefault("http://127.0.0.1:8085")
    String auditUrl();

    /** session-service itself (its own API, so a tool passes the same checks as any client). */
    @WithDefault("http://127.0.0.1:8082")
    String sessionUrl();

    /** A risky operation the coordinator proposed waits this long for the operator's confirmation. */
    @WithDefault("PT10M")
    Duration proposalTtl();

    /** One tool call may take this long (a slow API answers "timed out", the turn goes on). */
    @WithDefault("PT60S")
    Duration toolTimeout();

    /** How long a host workflow (Cockpit setup) is followed in the chat before the tool answers "still running". */
    @WithDefault("PT10M")
    Duration workflowWait();

    /** How long a worker's answer is relayed into the chat before the coordinator stops waiting for it. */
    @WithDefault("PT5M")
    Duration relayTimeout();

    Codex codex();

    interface Codex {
        /** The {@code codex} binary the coordinator runs as {@code codex app-server}; none: slash commands only. */
        Optional<String> binary();

        /**
         * The coordinator's own CODEX_HOME on this machine (threads and, when present, {@code auth.json} or a
         * {@code config.toml} naming a model provider); without either the chat offers slash commands only.
         */
        @WithDefault(".local/coordinator/codex-home")
        String home();

        /** An empty directory the coordinator's threads start in (they run read-only and never execute commands). */
        @WithDefault(".local/coordinator/workdir")
        String workdir();

        /** A coordinator turn ends (interrupted) after this long. */
        @WithDefault("PT10M")
        Duration turnTimeout();

        /** One JSON-RPC call to the app-server may take this long. */
        @WithDefault("PT30S")
        Duration callTimeout();
    }
}
