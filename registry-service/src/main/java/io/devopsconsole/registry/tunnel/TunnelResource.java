package io.devopsconsole.registry.tunnel;

import io.devopsconsole.platform.api.Created;
import io.devopsconsole.platform.api.PageResponse;
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

@Path("/api/tunnels")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class TunnelResource {

    private final TunnelService service;
    private final SecurityIdentity identity;

    public TunnelResource(TunnelService service, SecurityIdentity identity) {
        this.service = service;
        this.identity = identity;
    }

    @POST
    @RolesAllowed({Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN})
    @APIResponseSchema(
            value = TunnelApi.TunnelResponse.class,
            responseCode = "201",
            responseDescription = "Created; `Location` names the new tunnel profile.")
    public Uni<RestResponse<TunnelApi.TunnelResponse>> create(@Valid @NotNull TunnelApi.CreateTunnelRequest request) {
        return service.create(request).map(created -> Created.at("/api/tunnels", created.id(), created));
    }

    @GET
    @RolesAllowed({Roles.VIEWER, Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN})
    public Uni<PageResponse<TunnelApi.TunnelResponse>> list(
            @QueryParam("name_prefix") @Size(max = 100) String namePrefix,
            @QueryParam("page") @DefaultValue("0") @Min(0) int page,
            @QueryParam("size") @DefaultValue("50") @Min(1) @Max(500) int size) {
        return service.list(namePrefix, page, size);
    }

    @GET
    @Path("/{id}")
    @RolesAllowed({Roles.VIEWER, Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN})
    public Uni<TunnelApi.TunnelResponse> get(@PathParam("id") UUID id) {
        return service.get(id);
    }

    @PUT
    @Path("/{id}")
    @RolesAllowed({Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN})
    public Uni<TunnelApi.TunnelResponse> update(
            @PathParam("id") UUID id, @Valid @NotNull TunnelApi.UpdateTunnelRequest request) {
        return service.update(id, request);
    }

    /** Records what a tunnel check observed (operational state, usable for remote execution). */
    @POST
    @Path("/{id}/state")
    @ResponseStatus(200)
    @RolesAllowed({Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN})
    public Uni<TunnelApi.TunnelResponse> observe(
            @PathParam("id") UUID id, @Valid @NotNull TunnelApi.TunnelStateRequest request) {
        return service.observe(id, request);
    }

    @DELETE
    @Path("/{id}")
    @RolesAllowed({Roles.APPROVER, Roles.ADMIN})
    public Uni<RestResponse<Void>> delete(@PathParam("id") UUID id, @Valid DeleteRequest request) {
        return service.delete(id, DeleteRequest.approved(identity, request, "delete a tunnel profile"))
                .map(v -> RestResponse.noContent());
    }
}
