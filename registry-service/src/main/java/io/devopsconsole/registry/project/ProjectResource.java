package io.devopsconsole.registry.project;

import io.devopsconsole.platform.api.Created;
import io.devopsconsole.platform.security.Roles;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
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

@Path("/api/projects")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class ProjectResource {

    private final ProjectService service;

    public ProjectResource(ProjectService service) {
        this.service = service;
    }

    @POST
    @RolesAllowed({Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN})
    @APIResponseSchema(
            value = ProjectResponse.class,
            responseCode = "201",
            responseDescription = "Created; `Location` names the new project.")
    public Uni<RestResponse<ProjectResponse>> create(@Valid @NotNull ProjectRequests.CreateProjectRequest request) {
        return service.create(request).map(created -> Created.at("/api/projects", created.id(), created));
    }

    @GET
    @RolesAllowed({Roles.VIEWER, Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN})
    public Uni<ProjectResponse.Page> list(
            @QueryParam("page") @DefaultValue("0") @Min(0) @Max(100_000) int page,
            @QueryParam("size") @DefaultValue("50") @Min(1) @Max(500) int size,
            @QueryParam("include_archived") @DefaultValue("false") boolean includeArchived) {
        return service.list(includeArchived, page, size);
    }

    @GET
    @Path("/{id}")
    @RolesAllowed({Roles.VIEWER, Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN})
    public Uni<ProjectResponse> get(@PathParam("id") UUID id) {
        return service.get(id);
    }

    @PUT
    @Path("/{id}")
    @RolesAllowed({Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN})
    public Uni<ProjectResponse> update(
            @PathParam("id") UUID id, @Valid @NotNull ProjectRequests.UpdateProjectRequest request) {
        return service.update(id, request);
    }

    @POST
    @Path("/{id}/archive")
    @RolesAllowed({Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN})
    @ResponseStatus(200)
    public Uni<ProjectResponse> archive(
            @PathParam("id") UUID id, @Valid ProjectRequests.ArchiveProjectRequest request) {
        return service.archive(id, request == null ? null : request.version());
    }
}
