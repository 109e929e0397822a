package io.devopsconsole.onboarding.run;

import io.devopsconsole.platform.security.CurrentActor;
import io.devopsconsole.platform.security.Roles;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
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

/** Install plans: read, approve, reject, execute. */
@Path("/api/install-plans")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class PlanResource {

    private final PlanService service;
    private final SecurityIdentity identity;
    private final CurrentActor actor;

    public PlanResource(PlanService service, SecurityIdentity identity, CurrentActor actor) {
        this.service = service;
        this.identity = identity;
        this.actor = actor;
    }

    @GET
    @RolesAllowed({Roles.VIEWER, Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN})
    public Uni<List<PlanService.PlanView>> list(
            @QueryParam("run_id") UUID runId,
            @QueryParam("state") @Size(max = 20) String state,
            @QueryParam("page") @DefaultValue("0") @Min(0) int page,
            @QueryParam("size") @DefaultValue("50") @Min(1) @Max(500) int size) {
        return service.list(runId, state, page, size);
    }

    @GET
    @Path("/{id}")
    @RolesAllowed({Roles.VIEWER, Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN})
    public Uni<PlanService.PlanView> get(@PathParam("id") UUID id) {
        return service.get(id);
    }

    /** Lab plans: operator, approver or admin; production plans: approver or admin with {@code confirm_production}. */
    @POST
    @Path("/{id}/approve")
    @RolesAllowed({Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN})
    public Uni<PlanService.PlanView> approve(@PathParam("id") UUID id, @Valid PlanService.DecisionRequest request) {
        return actor.name().flatMap(who -> service.approve(id, request, identity, who));
    }

    @POST
    @Path("/{id}/reject")
    @RolesAllowed({Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN})
    public Uni<PlanService.PlanView> reject(@PathParam("id") UUID id, @Valid PlanService.DecisionRequest request) {
        return actor.name().flatMap(who -> service.reject(id, request, who));
    }

    /** Runs the approved plan's fixed sequence (202; follow the run or the plan for progress). */
    @POST
    @Path("/{id}/execute")
    @RolesAllowed({Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN})
    @APIResponseSchema(
            value = PlanService.PlanView.class,
            responseCode = "202",
            responseDescription = "Execution started; the plan is `executing` until its steps end.")
    public Uni<RestResponse<PlanService.PlanView>> execute(
            @PathParam("id") UUID id, @Valid PlanService.ExecuteRequest request) {
        return actor.name()
                .flatMap(who -> service.execute(id, request, identity, who))
                .map(plan -> RestResponse.status(RestResponse.Status.ACCEPTED, plan));
    }
}
