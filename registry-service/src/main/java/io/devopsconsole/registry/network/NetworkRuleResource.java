package io.devopsconsole.registry.network;

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
import org.jboss.resteasy.reactive.RestResponse;

@Path("/api/network-rules")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class NetworkRuleResource {

    private final NetworkRuleService service;
    private final SecurityIdentity identity;

    public NetworkRuleResource(NetworkRuleService service, SecurityIdentity identity) {
        this.service = service;
        this.identity = identity;
    }

    @POST
    @RolesAllowed({Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN})
    @APIResponseSchema(
            value = NetworkRuleApi.RuleResponse.class,
            responseCode = "201",
            responseDescription = "Created; `Location` names the new rule.")
    public Uni<RestResponse<NetworkRuleApi.RuleResponse>> create(
            @Valid @NotNull NetworkRuleApi.CreateRuleRequest request) {
        return service.create(request).map(created -> Created.at("/api/network-rules", created.id(), created));
    }

    @GET
    @RolesAllowed({Roles.VIEWER, Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN})
    public Uni<PageResponse<NetworkRuleApi.RuleResponse>> list(
            @QueryParam("site_id") UUID siteId,
            @QueryParam("page") @DefaultValue("0") @Min(0) int page,
            @QueryParam("size") @DefaultValue("50") @Min(1) @Max(500) int size) {
        return service.list(siteId, page, size);
    }

    /** The site, access path and tunnel a host would get by default, and which rule decided it. */
    @GET
    @Path("/resolve")
    @RolesAllowed({Roles.VIEWER, Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN})
    public Uni<NetworkRuleApi.ResolutionResponse> resolve(@QueryParam("host") @Size(max = 253) String host) {
        return service.explain(host);
    }

    @GET
    @Path("/{id}")
    @RolesAllowed({Roles.VIEWER, Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN})
    public Uni<NetworkRuleApi.RuleResponse> get(@PathParam("id") UUID id) {
        return service.get(id);
    }

    @PUT
    @Path("/{id}")
    @RolesAllowed({Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN})
    public Uni<NetworkRuleApi.RuleResponse> update(
            @PathParam("id") UUID id, @Valid @NotNull NetworkRuleApi.UpdateRuleRequest request) {
        return service.update(id, request);
    }

    @DELETE
    @Path("/{id}")
    @RolesAllowed({Roles.APPROVER, Roles.ADMIN})
    public Uni<RestResponse<Void>> delete(@PathParam("id") UUID id, @Valid DeleteRequest request) {
        return service.delete(id, DeleteRequest.approved(identity, request, "delete a network rule"))
                .map(v -> RestResponse.noContent());
    }
}
