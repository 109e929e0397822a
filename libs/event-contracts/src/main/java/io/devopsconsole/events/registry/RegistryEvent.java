package io.devopsconsole.events.registry;

import io.devopsconsole.events.DomainEvent;

/** Everything registry-service announces on {@code console.registry.v1}. */
public sealed interface RegistryEvent extends DomainEvent
        permits ProjectEvent, SiteEvent, NetworkRuleEvent, TunnelProfileEvent, TargetEvent, RuntimeProfileEvent {}
