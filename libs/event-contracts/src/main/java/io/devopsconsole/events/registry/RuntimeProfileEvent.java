package io.devopsconsole.events.registry;

/** The events of one RuntimeProfile. */
public sealed interface RuntimeProfileEvent extends RegistryEvent
        permits RuntimeProfileCreated, RuntimeProfileUpdated, RuntimeProfileDeleted {}
