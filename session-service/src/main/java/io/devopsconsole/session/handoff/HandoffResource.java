package io.devopsconsole.session.handoff;

import io.devopsconsole.platform.api.Created;
import io.devopsconsole.platform.security.Roles;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
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
import org.jboss.resteasy.reactive.ResponseStatus;
import org.jboss.resteasy.reactive.RestResponse;

/** Project-start handoffs: prepare a package from an intent; start a ready one. */
@Path("/api/handoffs")
@Produces(MediaType.APPLICATION_JSON)
public class HandoffResource {

    private final HandoffService handoffs;

    public HandoffResource(HandoffService handoffs) {
        this.handoffs = handoffs;
    }

    /** What the operator wants to start on a project. */
    public record HandoffRequest(
            @NotNull UUID projectId,
            @NotBlank @Size(max = 4000) String intent) {}

    public record Page(List<HandoffService.HandoffView> items) {}

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed({Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN})
    @APIResponseSchema(
            value = HandoffService.HandoffView.class,
            responseCode = "201",
            responseDescription = "Prepared; `Location` names the handoff.")
    public Uni<RestResponse<HandoffService.HandoffView>> prepare(@Valid @NotNull HandoffRequest request) {
        return handoffs.prepare(request.projectId(), request.intent().strip())
                .map(h -> Created.at("/api/handoffs", h.id(), h));
    }

    @GET
    @RolesAllowed({Roles.VIEWER, Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN})
    public Uni<Page> list(@QueryParam("project_id") UUID projectId) {
        return handoffs.list(projectId).map(Page::new);
    }

    @GET
    @Path("/{id}")
    @RolesAllowed({Roles.VIEWER, Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN})
    public Uni<HandoffService.HandoffView> get(@PathParam("id") UUID id) {
        return handoffs.get(id);
    }

    /** Opens the project's session from a ready package (409 if it is not ready or the project has live work). */
    @POST
    @Path("/{id}/start")
    @RolesAllowed({Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN})
    @ResponseStatus(200)
    public Uni<HandoffService.HandoffView> start(@PathParam("id") UUID id) {
        return handoffs.start(id);
    }
}
