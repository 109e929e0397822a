package io.devopsconsole.events.agent;

import java.util.UUID;

/** Stop the session's worker(s) on their targets; the session is stopping. */
public record StopWorker(UUID sessionId, String requestedBy, String reason) implements AgentCommand {

    public static final String TYPE = "io.devopsconsole.agent.worker.stop_requested.v1";

    @Override
    public String resourceName() {
        return sessionId.toString();
    }
}
