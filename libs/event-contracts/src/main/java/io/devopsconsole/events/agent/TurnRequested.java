package io.devopsconsole.events.agent;

import java.util.UUID;

/** Run a turn with the operator's message ({@code messageSeq} is its place in the transcript). */
public record TurnRequested(UUID sessionId, UUID projectId, UUID messageId, long messageSeq, String text,
                            String operator) implements AgentCommand {

    public static final String TYPE = "io.devopsconsole.agent.turn.requested.v1";

    @Override
    public String resourceName() {
        return projectId.toString();
    }
}
