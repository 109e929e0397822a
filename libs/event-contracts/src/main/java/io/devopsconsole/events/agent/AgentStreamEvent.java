package io.devopsconsole.events.agent;

import io.devopsconsole.events.DomainEvent;

/** What the agent-runner relays on {@code console.agent.stream.v1} (short retention, key = session id). */
public sealed interface AgentStreamEvent extends DomainEvent permits AgentStreamRecord {}
