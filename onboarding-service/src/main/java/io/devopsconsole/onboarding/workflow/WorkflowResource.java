package io.devopsconsole.onboarding.workflow;

import io.devopsconsole.platform.security.CurrentActor;
import io.devopsconsole.platform.security.Roles;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponseSchema;
import org.jboss.resteasy.reactive.RestResponse;

/**
 * Controlled host workflows: propose one for a target (201, its exact fixed commands shown),
 * approve or reject it, execute an approved one (202) and follow its steps.
 */
@Path("/api/host-workflows")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class WorkflowResource {

    private final WorkflowService service;
    private final CurrentActor actor;

    public WorkflowResource(WorkflowService service, CurrentActor actor) {
        this.service = service;
        this.actor = actor;
    }

    /** The workflows this console can run, with their steps. */
    @GET
    @Path("/kinds")
    @RolesAllowed({Roles.VIEWER, Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN})
    public WorkflowService.KindList kinds() {
        return service.kinds();
    }

    @GET
    @RolesAllowed({Roles.VIEWER, Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN})
    public Uni<WorkflowService.WorkflowPage> list(
            @QueryParam("target_id") UUID targetId,
            @QueryParam("state") @Pattern(regexp = "proposed|approved|rejected|executing|succeeded|failed")
                    String state,
            @QueryParam("page") @DefaultValue("0") @Min(0) int page,
            @QueryParam("size") @DefaultValue("20") @Min(1) @Max(100) int size) {
        return service.list(targetId, state, page, size);
    }

    @POST
    @RolesAllowed({Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN})
    @APIResponseSchema(
            value = WorkflowService.WorkflowView.class,
            responseCode = "201",
            responseDescription = "Proposed: nothing runs until it is approved and executed.")
    public Uni<RestResponse<WorkflowService.WorkflowView>> propose(
            @Valid @NotNull WorkflowService.ProposeRequest request) {
        return actor.name()
                .flatMap(who -> service.propose(request, who))
                .map(w -> RestResponse.status(RestResponse.Status.CREATED, w));
    }

    @GET
    @Path("/{id}")
    @RolesAllowed({Roles.VIEWER, Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN})
    public Uni<WorkflowService.WorkflowView> get(@PathParam("id") UUID id) {
        return service.get(id);
    }

    @POST
    @Path("/{id}/approve")
    @RolesAllowed({Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN})
    public Uni<WorkflowService.WorkflowView> approve(
            @PathParam("id") UUID id, @Valid WorkflowService.DecisionRequest request) {
        return actor.name().flatMap(who -> service.approve(id, request, who));
    }

    @POST
    @Path("/{id}/reject")
    @RolesAllowed({Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN})
    public Uni<WorkflowService.WorkflowView> reject(
            @PathParam("id") UUID id, @Valid WorkflowService.DecisionRequest request) {
        return actor.name().flatMap(who -> service.reject(id, request, who));
    }

    /** Runs the approved workflow's fixed steps (202; follow it with GET until it has ended). */
    @POST
    @Path("/{id}/execute")
    @RolesAllowed({Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN})
    @APIResponseSchema(
            value = WorkflowService.WorkflowView.class,
            responseCode = "202",
            responseDescription = "Execution started; the workflow is `executing` until its steps end.")
    public Uni<RestResponse<WorkflowService.WorkflowView>> execute(
            @PathParam("id") UUID id, @Valid WorkflowService.ExecuteRequest request) {
        return actor.name()
                .flatMap(who -> service.execute(id, request, who))
                .map(w -> RestResponse.status(RestResponse.Status.ACCEPTED, w));
    }
}
