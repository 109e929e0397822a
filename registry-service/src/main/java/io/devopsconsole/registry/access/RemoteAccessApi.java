package io.devopsconsole.registry.access;

import io.devopsconsole.registry.network.AccessPath;
import io.devopsconsole.registry.target.SshTarget;
import io.devopsconsole.registry.tunnel.TunnelProfile;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

/** The remote-access read model: can the console reach this target for work right now, and if not, why. */
public final class RemoteAccessApi {

    /** Whether the way to the host exists: always for LAN, for tunnels only when the tunnel is usable. */
    public enum AccessPathStatus {
        available,
        unavailable
    }

    /** The TCP check's outcome; {@code not_checked} when the access path is unavailable or the target retired. */
    public enum ReachabilityStatus {
        reachable,
        unreachable,
        not_checked
    }

    private RemoteAccessApi() {}

    public record TunnelView(
            UUID id,
            String name,
            String interfaceName,
            boolean enabled,
            TunnelProfile.OperationalState operationalState,
            boolean usableForRemoteExecution,
            OffsetDateTime lastCheckedAt) {}

    public record Reachability(ReachabilityStatus status, Instant checkedAt, Long latencyMillis, String detail) {}

    public record RemoteAccessResponse(
            UUID targetId,
            String name,
            String host,
            int port,
            SshTarget.Environment environment,
            boolean retired,
            AccessPath expectedAccessPath,
            AccessPathStatus accessPathStatus,
            TunnelView tunnel,
            Reachability reachability,
            boolean hostKeyTrusted,
            SshTarget.CodexStatus codexStatus,
            boolean readyForExecution,
            List<String> reasons) {}
}
