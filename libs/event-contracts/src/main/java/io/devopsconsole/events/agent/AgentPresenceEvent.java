package io.devopsconsole.events.agent;

import io.devopsconsole.events.DomainEvent;

/**
 * Which agent-runners are alive and which sessions each drives, on {@code console.agent.presence.v1}
 * (key = runner instance, short retention): a runner that stops saying so is dead, and the viewers of
 * its sessions are told at once, before its Kafka group membership expires.
 */
public sealed interface AgentPresenceEvent extends DomainEvent permits RunnerHeartbeat {}
