package io.devopsconsole.onboarding.tunnel;

import io.devopsconsole.platform.security.CurrentActor;
import io.devopsconsole.platform.security.Roles;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.UUID;

/** WireGuard operations on a registered tunnel profile, run on its gateway target. */
@Path("/api/tunnels/{tunnelProfileId}/wireguard")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class WireGuardResource {

    private final WireGuardService service;
    private final SecurityIdentity identity;
    private final CurrentActor actor;

    public WireGuardResource(WireGuardService service, SecurityIdentity identity, CurrentActor actor) {
        this.service = service;
        this.identity = identity;
        this.actor = actor;
    }

    /** Non-mutating check of the profile file and the tooling. */
    @POST
    @Path("/check")
    @RolesAllowed({Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN})
    public Uni<WireGuardService.OperationView> check(
            @PathParam("tunnelProfileId") UUID id, @Valid @NotNull WireGuardService.OperationRequest request) {
        return actor.name().flatMap(who -> service.check(id, request, who));
    }

    @POST
    @Path("/tooling")
    @RolesAllowed({Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN})
    public Uni<WireGuardService.OperationView> tooling(
            @PathParam("tunnelProfileId") UUID id, @Valid @NotNull WireGuardService.OperationRequest request) {
        return actor.name().flatMap(who -> service.tooling(id, request, who));
    }

    /** apt update; apt install -y wireguard wireguard-tools — only with {@code confirm_execute: true}. */
    @POST
    @Path("/tooling/install")
    @RolesAllowed({Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN})
    public Uni<WireGuardService.OperationView> install(
            @PathParam("tunnelProfileId") UUID id, @Valid @NotNull WireGuardService.OperationRequest request) {
        return actor.name().flatMap(who -> service.install(id, request, identity, who));
    }

    @POST
    @Path("/activate")
    @RolesAllowed({Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN})
    public Uni<WireGuardService.OperationView> activate(
            @PathParam("tunnelProfileId") UUID id, @Valid @NotNull WireGuardService.OperationRequest request) {
        return actor.name().flatMap(who -> service.activate(id, request, identity, who));
    }

    @POST
    @Path("/deactivate")
    @RolesAllowed({Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN})
    public Uni<WireGuardService.OperationView> deactivate(
            @PathParam("tunnelProfileId") UUID id, @Valid @NotNull WireGuardService.OperationRequest request) {
        return actor.name().flatMap(who -> service.deactivate(id, request, identity, who));
    }

    /**
     * The tunnel's last observed state (from the newest stored operation: peers' public keys, endpoints,
     * handshakes and byte counts; never private fields). A read: nothing runs on the gateway, nothing is
     * written (404 when the tunnel was never observed). A fresh reading is {@code POST .../status}.
     */
    @GET
    @Path("/status")
    @RolesAllowed({Roles.VIEWER, Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN})
    public Uni<WireGuardService.OperationView> status(@PathParam("tunnelProfileId") UUID id) {
        return service.lastObserved(id);
    }

    /** Reads the runtime status on the gateway now (one SSH login running fixed read commands), stored and announced. */
    @POST
    @Path("/status")
    @RolesAllowed({Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN})
    public Uni<WireGuardService.OperationView> observe(
            @PathParam("tunnelProfileId") UUID id, @Valid @NotNull WireGuardService.OperationRequest request) {
        return actor.name().flatMap(who -> service.status(id, request.gatewayTargetId(), who));
    }
}
