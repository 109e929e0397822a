package io.devopsconsole.events.agent;

import io.devopsconsole.events.DomainEvent;

/**
 * Worker and turn lifecycle on {@code console.agent.v1} (key = session id), for audit and other
 * consumers that want what happened without every delta: a worker's state, a turn's start and
 * end, and each command the agent ran with its target, directory, exit code and duration.
 */
public sealed interface AgentLifecycleEvent extends DomainEvent
        permits WorkerStateChanged, TurnStarted, TurnEnded, CommandExecuted {

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
