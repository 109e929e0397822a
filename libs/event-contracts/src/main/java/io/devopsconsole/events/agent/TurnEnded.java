package io.devopsconsole.events.agent;

import java.util.UUID;

/**
 * A turn ended: {@code completed}, {@code failed}, {@code interrupted} or {@code timed_out}, with
 * the error message when there was one and the tokens it used.
 */
public record TurnEnded(
        UUID sessionId, UUID workerId, UUID targetId, String turnId, String status, String message, long totalTokens)
        implements AgentLifecycleEvent {

    public static final String TYPE = "io.devopsconsole.agent.turn.ended.v1";

    @Override
    public String resourceName() {
        return turnId;
    }
}
