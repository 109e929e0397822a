package io.devopsconsole.events.registry;

/** The events of one TunnelProfile. */
public sealed interface TunnelProfileEvent extends RegistryEvent
        permits TunnelProfileCreated, TunnelProfileUpdated, TunnelProfileDeleted {}
