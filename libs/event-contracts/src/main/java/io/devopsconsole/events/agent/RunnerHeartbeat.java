package io.devopsconsole.events.agent;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

/**
 * An agent-runner is alive and drives these sessions; the next heartbeat follows within
 * {@code intervalMs}. {@code stopping} is sent once by a runner shutting down in order (its sessions
 * are being handed over, not lost).
 */
public record RunnerHeartbeat(String runner, List<UUID> sessions, OffsetDateTime at, long intervalMs, boolean stopping)
        implements AgentPresenceEvent {

    public static final String TYPE = "io.devopsconsole.agent.runner.heartbeat.v1";

    public RunnerHeartbeat {
        sessions = sessions == null ? List.of() : List.copyOf(sessions);
    }

    @Override
    public String aggregateId() {
        return runner;
    }

    @Override
    public String resourceType() {
        return "agent_runner";
    }

    @Override
    public String resourceName() {
        return runner;
    }
}
