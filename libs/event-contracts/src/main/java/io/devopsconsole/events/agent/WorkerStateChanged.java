package io.devopsconsole.events.agent;

import java.util.UUID;

/**
 * A worker (one {@code codex app-server} for one session on one target) changed state:
 * {@code starting}, {@code ready}, {@code busy}, {@code lost}, {@code stopped} or {@code failed};
 * {@code message} says why when it is not the expected next step.
 */
public record WorkerStateChanged(
        UUID sessionId,
        UUID workerId,
        UUID targetId,
        String targetName,
        String workingDirectory,
        String transport,
        String state,
        String message)
        implements AgentLifecycleEvent {

    public static final String TYPE = "io.devopsconsole.agent.worker.state_changed.v1";

    @Override
    public String resourceName() {
        return targetName + ":" + workingDirectory;
    }
}
