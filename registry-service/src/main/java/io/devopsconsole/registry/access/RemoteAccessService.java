package io.devopsconsole.registry.access;

import io.devopsconsole.platform.api.PageResponse;
import io.devopsconsole.platform.problem.ResourceNotFoundException;
import io.devopsconsole.registry.network.AccessPath;
import io.devopsconsole.registry.target.SshTarget;
import io.devopsconsole.registry.target.SshTargetRepository;
import io.devopsconsole.registry.tunnel.TunnelProfile;
import io.devopsconsole.registry.tunnel.TunnelProfileRepository;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * Answers "can work go to this target now?": the access path it expects, whether that path is
 * there (a tunnel must be enabled, up and usable), live TCP reachability when the path is there,
 * and {@code ready_for_execution} = not retired, path available and host reachable. A target
 * behind a down tunnel is "access path unavailable", never "host offline".
 */
@ApplicationScoped
public class RemoteAccessService {

    private final SshTargetRepository targets;
    private final TunnelProfileRepository tunnels;
    private final ReachabilityProbe probe;

    public RemoteAccessService(SshTargetRepository targets, TunnelProfileRepository tunnels, ReachabilityProbe probe) {
        this.targets = targets;
        this.tunnels = tunnels;
        this.probe = probe;
    }

    private record Snapshot(List<SshTarget> targets, Map<UUID, TunnelProfile> tunnels, long total) {}

    public Uni<RemoteAccessApi.RemoteAccessResponse> get(UUID id) {
        return Panache.withSession(() -> targets.findById(id)
                        .onItem()
                        .ifNull()
                        .failWith(() -> new ResourceNotFoundException("SSH target", id))
                        .flatMap(t -> tunnelsOf(List.of(t)).map(ts -> new Snapshot(List.of(t), ts, 1))))
                .flatMap(s -> view(s.targets().get(0), s.tunnels()));
    }

    public Uni<PageResponse<RemoteAccessApi.RemoteAccessResponse>> list(
            SshTargetRepository.Filter filter, int page, int size) {
        return Panache.withSession(() -> targets.page(filter, page, size)
                        .flatMap(rows -> targets.total(filter)
                                .flatMap(total -> tunnelsOf(rows).map(ts -> new Snapshot(rows, ts, total)))))
                .flatMap(s -> {
                    if (s.targets().isEmpty()) {
                        return Uni.createFrom().item(new PageResponse<>(List.of(), page, size, s.total()));
                    }
                    List<Uni<RemoteAccessApi.RemoteAccessResponse>> views =
                            s.targets().stream().map(t -> view(t, s.tunnels())).toList();
                    return Uni.join()
                            .all(views)
                            .andFailFast()
                            .map(items -> new PageResponse<>(items, page, size, s.total()));
                });
    }

    private Uni<Map<UUID, TunnelProfile>> tunnelsOf(List<SshTarget> rows) {
        Set<UUID> ids = rows.stream()
                .map(SshTarget::tunnelProfileId)
                .filter(Objects::nonNull)
                .collect(Collectors.toSet());
        if (ids.isEmpty()) {
            return Uni.createFrom().item(Map.of());
        }
        return tunnels.list("id in ?1", ids).map(list -> {
            Map<UUID, TunnelProfile> byId = new HashMap<>();
            list.forEach(t -> byId.put(t.id(), t));
            return byId;
        });
    }

    private Uni<RemoteAccessApi.RemoteAccessResponse> view(SshTarget target, Map<UUID, TunnelProfile> tunnelsById) {
        List<String> reasons = new ArrayList<>();
        TunnelProfile tunnel = target.tunnelProfileId() == null ? null : tunnelsById.get(target.tunnelProfileId());
        boolean pathAvailable = target.accessPath() == AccessPath.lan || (tunnel != null && tunnel.available());
        if (!pathAvailable) {
            reasons.add(
                    tunnel == null
                            ? "access path unavailable: the tunnel profile is missing"
                            : "access path unavailable: tunnel " + tunnel.name() + " is " + describe(tunnel));
        }
        if (target.retired()) {
            reasons.add("target is retired");
        }
        if (!pathAvailable || target.retired()) {
            return Uni.createFrom()
                    .item(response(
                            target,
                            tunnel,
                            pathAvailable,
                            new RemoteAccessApi.Reachability(
                                    RemoteAccessApi.ReachabilityStatus.not_checked, null, null, null),
                            false,
                            reasons));
        }
        return probe.check(target.host(), target.port()).map(result -> {
            if (!result.reachable()) {
                reasons.add("host unreachable on port " + target.port() + ": " + result.detail());
            }
            if (target.hostKeyFingerprint() == null) {
                reasons.add("no trusted host key yet (onboarding or an admin must trust one before SSH is used)");
            }
            return response(
                    target,
                    tunnel,
                    true,
                    new RemoteAccessApi.Reachability(
                            result.reachable()
                                    ? RemoteAccessApi.ReachabilityStatus.reachable
                                    : RemoteAccessApi.ReachabilityStatus.unreachable,
                            result.checkedAt(),
                            result.latencyMillis(),
                            result.detail()),
                    result.reachable(),
                    reasons);
        });
    }

    private static String describe(TunnelProfile t) {
        if (!t.enabled()) {
            return "disabled";
        }
        if (t.operationalState() != TunnelProfile.OperationalState.up) {
            return t.operationalState() == TunnelProfile.OperationalState.down ? "down" : "in an unknown state";
        }
        return "up but not marked usable for remote execution";
    }

    private static RemoteAccessApi.RemoteAccessResponse response(
            SshTarget t,
            TunnelProfile tunnel,
            boolean pathAvailable,
            RemoteAccessApi.Reachability reachability,
            boolean ready,
            List<String> reasons) {
        RemoteAccessApi.TunnelView tunnelView = tunnel == null
                ? null
                : new RemoteAccessApi.TunnelView(
                        tunnel.id(),
                        tunnel.name(),
                        tunnel.interfaceName(),
                        tunnel.enabled(),
                        tunnel.operationalState(),
                        tunnel.usableForRemoteExecution(),
                        tunnel.lastCheckedAt());
        return new RemoteAccessApi.RemoteAccessResponse(
                t.id(),
                t.name(),
                t.host(),
                t.port(),
                t.environment(),
                t.retired(),
                t.accessPath(),
                pathAvailable
                        ? RemoteAccessApi.AccessPathStatus.available
                        : RemoteAccessApi.AccessPathStatus.unavailable,
                tunnelView,
                reachability,
                t.hostKeyFingerprint() != null,
                t.codexStatus(),
                ready && !t.retired(),
                List.copyOf(reasons));
    }
}
