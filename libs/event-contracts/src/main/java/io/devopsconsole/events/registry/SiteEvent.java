package io.devopsconsole.events.registry;

/** The events of one Site. */
public sealed interface SiteEvent extends RegistryEvent permits SiteCreated, SiteUpdated, SiteDeleted {}
