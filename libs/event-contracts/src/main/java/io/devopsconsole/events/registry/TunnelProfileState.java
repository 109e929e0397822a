package io.devopsconsole.events.registry;

import java.time.OffsetDateTime;
import java.util.UUID;

/** A tunnel profile as events carry it; {@code configPath} is a reference, never the file's contents. */
public record TunnelProfileState(
        UUID tunnelProfileId,
        String name,
        String kind,
        String interfaceName,
        String configPath,
        boolean enabled,
        String operationalState,
        boolean usableForRemoteExecution,
        OffsetDateTime lastCheckedAt,
        long version) {}
