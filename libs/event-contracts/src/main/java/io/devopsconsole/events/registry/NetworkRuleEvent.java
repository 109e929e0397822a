package io.devopsconsole.events.registry;

/** The events of one NetworkRule. */
public sealed interface NetworkRuleEvent extends RegistryEvent
        permits NetworkRuleCreated, NetworkRuleUpdated, NetworkRuleDeleted {}
