package io.devopsconsole.events.registry;

/** The events of one Target. */
public sealed interface TargetEvent extends RegistryEvent
        permits TargetRegistered,
                TargetRenamed,
                TargetUpdated,
                TargetRetired,
                TargetRemoved,
                HostKeyTrusted,
                CodexStatusChanged {}
