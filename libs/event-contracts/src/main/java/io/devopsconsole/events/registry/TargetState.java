package io.devopsconsole.events.registry;

import java.util.UUID;

/**
 * An SSH target as events carry it. {@code keySource} is {@code default_control_plane_identity}
 * or {@code target_override_key}; {@code keyReference} names a secret, never holds one.
 */
public record TargetState(
        UUID targetId,
        String name,
        String host,
        int port,
        String username,
        String environment,
        UUID siteId,
        String accessPath,
        UUID tunnelProfileId,
        String keySource,
        String keyReference,
        String hostKeyFingerprint,
        String codexStatus,
        boolean retired,
        long version) {}
