package io.devopsconsole.onboarding.auth;

import io.devopsconsole.platform.api.Created;
import io.devopsconsole.platform.security.CurrentActor;
import io.devopsconsole.platform.security.Roles;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponseSchema;
import org.jboss.resteasy.reactive.RestResponse;

/** Codex auth slots. Importing and deleting material is an admin's; leasing and provisioning an operator's. */
@Path("/api/codex-auth/slots")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class AuthSlotResource {

    private final AuthSlotService service;
    private final SecurityIdentity identity;
    private final CurrentActor actor;

    public AuthSlotResource(AuthSlotService service, SecurityIdentity identity, CurrentActor actor) {
        this.service = service;
        this.identity = identity;
        this.actor = actor;
    }

    /** Imports auth material (an uploaded auth.json as {@code auth_json}, or {@code path} under the import directory). */
    @POST
    @RolesAllowed({Roles.ADMIN})
    @APIResponseSchema(
            value = AuthSlotService.SlotView.class,
            responseCode = "201",
            responseDescription = "Imported; `Location` names the new slot.")
    public Uni<RestResponse<AuthSlotService.SlotView>> importSlot(
            @Valid @NotNull AuthSlotService.ImportRequest request) {
        return actor.name()
                .flatMap(who -> service.importSlot(request, who))
                .map(slot -> Created.at("/api/codex-auth/slots", slot.id(), slot));
    }

    @GET
    @RolesAllowed({Roles.VIEWER, Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN})
    public Uni<List<AuthSlotService.SlotView>> list(
            @QueryParam("page") @DefaultValue("0") @Min(0) int page,
            @QueryParam("size") @DefaultValue("50") @Min(1) @Max(500) int size) {
        return service.list(page, size);
    }

    @GET
    @Path("/{id}")
    @RolesAllowed({Roles.VIEWER, Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN})
    public Uni<AuthSlotService.SlotView> get(@PathParam("id") UUID id) {
        return service.get(id);
    }

    @DELETE
    @Path("/{id}")
    @RolesAllowed({Roles.ADMIN})
    public Uni<RestResponse<Void>> delete(@PathParam("id") UUID id) {
        return actor.name().flatMap(who -> service.delete(id, who)).map(v -> RestResponse.noContent());
    }

    /** Leases the slot to one target (and optionally one session); 409 if it or the target is taken. */
    @POST
    @Path("/{id}/lease")
    @RolesAllowed({Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN})
    public Uni<AuthSlotService.SlotView> lease(
            @PathParam("id") UUID id, @Valid @NotNull AuthSlotService.LeaseRequest request) {
        return actor.name().flatMap(who -> service.lease(id, request, who));
    }

    @POST
    @Path("/{id}/release")
    @RolesAllowed({Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN})
    public Uni<AuthSlotService.SlotView> release(@PathParam("id") UUID id) {
        return actor.name().flatMap(who -> service.release(id, who));
    }

    /** Writes the material to the leased target's {@code $HOME/.codex/auth.json}, with {@code confirm_provision: true}. */
    @POST
    @Path("/{id}/provision")
    @RolesAllowed({Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN})
    public Uni<AuthSlotService.SlotView> provision(
            @PathParam("id") UUID id, @Valid @NotNull AuthSlotService.ProvisionRequest request) {
        return actor.name().flatMap(who -> service.provision(id, request, identity, who));
    }

    /** Reads the target's auth.json back into the store when Codex refreshed it. */
    @POST
    @Path("/{id}/collect")
    @RolesAllowed({Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN})
    public Uni<AuthSlotService.CollectView> collect(@PathParam("id") UUID id) {
        return actor.name().flatMap(who -> service.collect(id, who));
    }
}
