package io.devopsconsole.events.agent;

import java.util.UUID;

/** A turn started on a worker for an operator's message (by its transcript id). */
public record TurnStarted(
        UUID sessionId, UUID workerId, UUID targetId, String threadId, String turnId, UUID messageId, String operator)
        implements AgentLifecycleEvent {

    public static final String TYPE = "io.devopsconsole.agent.turn.started.v1";

    @Override
    public String resourceName() {
        return turnId;
    }
}
