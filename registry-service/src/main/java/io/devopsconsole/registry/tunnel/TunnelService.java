package io.devopsconsole.registry.tunnel;

import io.devopsconsole.events.registry.TunnelProfileCreated;
import io.devopsconsole.events.registry.TunnelProfileDeleted;
import io.devopsconsole.events.registry.TunnelProfileUpdated;
import io.devopsconsole.platform.api.PageResponse;
import io.devopsconsole.platform.outbox.Outbox;
import io.devopsconsole.platform.problem.ConflictException;
import io.devopsconsole.platform.problem.InvalidFieldException;
import io.devopsconsole.platform.problem.ResourceNotFoundException;
import io.devopsconsole.platform.problem.UniqueViolation;
import io.devopsconsole.registry.Clock;
import io.devopsconsole.registry.DeleteRequest;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

@ApplicationScoped
public class TunnelService {

    private final TunnelProfileRepository tunnels;
    private final Outbox outbox;

    public TunnelService(TunnelProfileRepository tunnels, Outbox outbox) {
        this.tunnels = tunnels;
        this.outbox = outbox;
    }

    @WithTransaction
    public Uni<TunnelApi.TunnelResponse> create(TunnelApi.CreateTunnelRequest request) {
        requireConfigMatchesInterface(request.configPath(), request.interfaceName());
        TunnelProfile tunnel = new TunnelProfile(
                UUID.randomUUID(),
                request.name(),
                request.kind() == null ? TunnelProfile.Kind.wireguard : request.kind(),
                request.interfaceName(),
                request.configPath(),
                request.enabled() == null || request.enabled(),
                Clock.now());
        return tunnels.persist(tunnel)
                .flatMap(t -> outbox.record(new TunnelProfileCreated(tunnel.state())))
                .flatMap(e -> tunnels.flush())
                .onFailure(UniqueViolation::anyOf)
                .transform(TunnelService::taken)
                .replaceWith(() -> TunnelApi.TunnelResponse.of(tunnel));
    }

    @WithSession
    public Uni<TunnelApi.TunnelResponse> get(UUID id) {
        return find(id).map(TunnelApi.TunnelResponse::of);
    }

    @WithSession
    public Uni<PageResponse<TunnelApi.TunnelResponse>> list(String namePrefix, int page, int size) {
        return tunnels.page(namePrefix, page, size)
                .flatMap(rows -> tunnels.total(namePrefix)
                        .map(total -> PageResponse.of(rows, TunnelApi.TunnelResponse::of, page, size, total)));
    }

    @WithTransaction
    public Uni<TunnelApi.TunnelResponse> update(UUID id, TunnelApi.UpdateTunnelRequest request) {
        requireConfigMatchesInterface(request.configPath(), request.interfaceName());
        return find(id).flatMap(tunnel -> {
            ConflictException.requireVersion("tunnel " + tunnel.name(), tunnel.version(), request.version());
            List<String> changed = new ArrayList<>();
            if (!request.name().equals(tunnel.name())) {
                changed.add("name");
            }
            if (!request.interfaceName().equals(tunnel.interfaceName())) {
                changed.add("interface_name");
            }
            if (!request.configPath().equals(tunnel.configPath())) {
                changed.add("config_path");
            }
            if (request.enabled() != tunnel.enabled()) {
                changed.add("enabled");
            }
            if (changed.isEmpty()) {
                return Uni.createFrom().item(TunnelApi.TunnelResponse.of(tunnel));
            }
            tunnel.configure(
                    request.name(), request.interfaceName(), request.configPath(), request.enabled(), Clock.now());
            return publishUpdate(tunnel, changed);
        });
    }

    @WithTransaction
    public Uni<TunnelApi.TunnelResponse> observe(UUID id, TunnelApi.TunnelStateRequest request) {
        return find(id).flatMap(tunnel -> {
            List<String> changed = new ArrayList<>(List.of("last_checked_at"));
            if (request.operationalState() != tunnel.operationalState()) {
                changed.add("operational_state");
            }
            if (request.usableForRemoteExecution() != tunnel.usableForRemoteExecution()) {
                changed.add("usable_for_remote_execution");
            }
            tunnel.observe(request.operationalState(), request.usableForRemoteExecution(), Clock.now());
            return publishUpdate(tunnel, changed);
        });
    }

    /**
     * A WireGuard operation onboarding ran on the profile's gateway (consumed from
     * console.onboarding.v1); call inside a transaction. A profile deleted meanwhile is ignored.
     */
    public Uni<Void> observeFromOnboarding(UUID id, TunnelProfile.OperationalState state, boolean usable) {
        return tunnels.findById(id).flatMap(tunnel -> {
            if (tunnel == null) {
                return Uni.createFrom().voidItem();
            }
            List<String> changed = new ArrayList<>(List.of("last_checked_at"));
            if (state != tunnel.operationalState()) {
                changed.add("operational_state");
            }
            if (usable != tunnel.usableForRemoteExecution()) {
                changed.add("usable_for_remote_execution");
            }
            tunnel.observe(state, usable, Clock.now());
            return publishUpdate(tunnel, changed).replaceWithVoid();
        });
    }

    @WithTransaction
    public Uni<Void> delete(UUID id, DeleteRequest request) {
        return find(id).flatMap(tunnel -> {
            if (request.version() != null) {
                ConflictException.requireVersion("tunnel " + tunnel.name(), tunnel.version(), request.version());
            }
            return tunnels.referenced(id).flatMap(referenced -> {
                if (referenced) {
                    throw new ConflictException("tunnel " + tunnel.name()
                            + " is still used by network rules or SSH targets; move them first");
                }
                return outbox.record(new TunnelProfileDeleted(tunnel.state()))
                        .flatMap(e -> tunnels.delete(tunnel))
                        .flatMap(d -> tunnels.flush());
            });
        });
    }

    private Uni<TunnelApi.TunnelResponse> publishUpdate(TunnelProfile tunnel, List<String> changed) {
        return tunnels.flush()
                .flatMap(f -> outbox.record(new TunnelProfileUpdated(tunnel.state(), changed)))
                .flatMap(e -> tunnels.flush())
                .onFailure(UniqueViolation::anyOf)
                .transform(TunnelService::taken)
                .replaceWith(() -> TunnelApi.TunnelResponse.of(tunnel));
    }

    private Uni<TunnelProfile> find(UUID id) {
        return tunnels.findById(id)
                .onItem()
                .ifNull()
                .failWith(() -> new ResourceNotFoundException("tunnel profile", id));
    }

    /** wg-quick takes the interface name from the config file's basename. */
    private static void requireConfigMatchesInterface(String configPath, String interfaceName) {
        if (!configPath.endsWith("/" + interfaceName + ".conf")) {
            throw new InvalidFieldException(
                    "config_path",
                    "must name the file '" + interfaceName
                            + ".conf' (wg-quick derives the interface from the basename)");
        }
    }

    private static ConflictException taken(Throwable failure) {
        return UniqueViolation.of(failure, "tunnel_profile_interface_key")
                ? new ConflictException("interface_name", "another tunnel profile uses this interface")
                : new ConflictException("name", "a tunnel profile with this name already exists");
    }
}
