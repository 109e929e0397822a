package io.devopsconsole.events.agent;

import java.util.UUID;

/** Interrupt the session's running turn. */
public record InterruptRequested(UUID sessionId, String requestedBy) implements AgentCommand {

    public static final String TYPE = "io.devopsconsole.agent.turn.interrupt_requested.v1";

    @Override
    public String resourceName() {
        return sessionId.toString();
    }
}
