package io.devopsconsole.registry.target;

import io.devopsconsole.platform.api.Created;
import io.devopsconsole.platform.api.PageResponse;
import io.devopsconsole.platform.security.Gate;
import io.devopsconsole.platform.security.Roles;
import io.devopsconsole.registry.DeleteRequest;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponseSchema;
import org.jboss.resteasy.reactive.ResponseStatus;
import org.jboss.resteasy.reactive.RestResponse;

@Path("/api/ssh-targets")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class TargetResource {

    private final TargetService service;
    private final SecurityIdentity identity;

    public TargetResource(TargetService service, SecurityIdentity identity) {
        this.service = service;
        this.identity = identity;
    }

    /** Registers a target; site, access path and tunnel come from network rules when none is given. */
    @POST
    @RolesAllowed({Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN})
    @APIResponseSchema(
            value = TargetApi.TargetResponse.class,
            responseCode = "201",
            responseDescription = "Registered; `Location` names the new target.")
    public Uni<RestResponse<TargetApi.TargetResponse>> register(
            @Valid @NotNull TargetApi.RegisterTargetRequest request) {
        return service.register(identity, request)
                .map(created -> Created.at("/api/ssh-targets", created.id(), created));
    }

    @GET
    @RolesAllowed({Roles.VIEWER, Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN})
    public Uni<PageResponse<TargetApi.TargetResponse>> list(
            @QueryParam("environment") SshTarget.Environment environment,
            @QueryParam("site_id") UUID siteId,
            @QueryParam("codex_status") SshTarget.CodexStatus codexStatus,
            @QueryParam("name_prefix") @Size(max = 63) String namePrefix,
            @QueryParam("retired") Boolean retired,
            @QueryParam("page") @DefaultValue("0") @Min(0) int page,
            @QueryParam("size") @DefaultValue("50") @Min(1) @Max(500) int size) {
        return service.list(
                new SshTargetRepository.Filter(environment, siteId, codexStatus, namePrefix, retired), page, size);
    }

    @GET
    @Path("/{id}")
    @RolesAllowed({Roles.VIEWER, Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN})
    public Uni<TargetApi.TargetResponse> get(@PathParam("id") UUID id) {
        return service.get(id);
    }

    /** Renames or changes a target; a production target (before or after) needs approver/admin and confirm. */
    @PUT
    @Path("/{id}")
    @RolesAllowed({Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN})
    public Uni<TargetApi.TargetResponse> update(
            @PathParam("id") UUID id, @Valid @NotNull TargetApi.UpdateTargetRequest request) {
        return service.update(identity, id, request);
    }

    @POST
    @Path("/{id}/retire")
    @ResponseStatus(200)
    @RolesAllowed({Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN})
    public Uni<TargetApi.TargetResponse> retire(
            @PathParam("id") UUID id, @Valid TargetApi.RetireTargetRequest request) {
        return service.retire(identity, id, request == null ? new TargetApi.RetireTargetRequest(null, null) : request);
    }

    /** An admin's explicit trust of a host key, with {@code confirm_trust: true}. */
    @PUT
    @Path("/{id}/host-key")
    @RolesAllowed({Roles.ADMIN})
    public Uni<TargetApi.TargetResponse> trustHostKey(
            @PathParam("id") UUID id, @Valid @NotNull TargetApi.TrustHostKeyRequest request) {
        Gate.requireAdmin(identity, request.confirmTrust(), "confirm_trust", "trust a host key");
        return service.trustHostKey(id, request);
    }

    /** Deletes a retired target; history stays in the events (TargetRemoved carries what was removed). */
    @DELETE
    @Path("/{id}")
    @RolesAllowed({Roles.APPROVER, Roles.ADMIN})
    public Uni<RestResponse<Void>> remove(@PathParam("id") UUID id, @Valid DeleteRequest request) {
        return service.remove(id, DeleteRequest.approved(identity, request, "remove an SSH target"))
                .map(v -> RestResponse.noContent());
    }
}
