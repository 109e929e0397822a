package io.devopsconsole.events.agent;

import io.devopsconsole.events.DomainEvent;

/**
 * Commands to the agent-runner on {@code console.agent.commands.v1}. The key is the session id, so
 * the runner instance that owns the session's partition receives every command for it, in order.
 */
public sealed interface AgentCommand extends DomainEvent
        permits TurnRequested, ApprovalDecided, InterruptRequested, StopWorker, CopyAttachment {

    java.util.UUID sessionId();

    @Override
    default String aggregateId() {
        return sessionId().toString();
    }

    @Override
    default String resourceType() {
        return "session";
    }
}
