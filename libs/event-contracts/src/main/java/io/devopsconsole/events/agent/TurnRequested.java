package io.devopsconsole.events.agent;

import java.util.UUID;

/**
 * Run a turn with the operator's message ({@code messageSeq} is its place in the transcript) on the
 * worker of {@code targetId} (one of the runtime profile's bound targets; null = the primary one).
 */
public record TurnRequested(
        UUID sessionId, UUID projectId, UUID messageId, long messageSeq, String text, String operator, UUID targetId)
        implements AgentCommand {

    public TurnRequested(
            UUID sessionId, UUID projectId, UUID messageId, long messageSeq, String text, String operator) {
        this(sessionId, projectId, messageId, messageSeq, text, operator, null);
    }

    public static final String TYPE = "io.devopsconsole.agent.turn.requested.v1";

    @Override
    public String resourceName() {
        return projectId.toString();
    }
}
