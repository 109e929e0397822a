package io.devopsconsole.onboarding.run;

import io.devopsconsole.platform.api.Created;
import io.devopsconsole.platform.api.PageResponse;
import io.devopsconsole.platform.security.CurrentActor;
import io.devopsconsole.platform.security.Roles;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
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
import java.util.UUID;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponseSchema;
import org.jboss.resteasy.reactive.RestResponse;

/** Onboarding runs: intake, advance, host-key discovery and trust, cancel, list and get. */
@Path("/api/agent-target-onboarding")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class OnboardingResource {

    private final OnboardingService service;
    private final SecurityIdentity identity;
    private final CurrentActor actor;
    private final JsonWebToken token;

    public OnboardingResource(
            OnboardingService service, SecurityIdentity identity, CurrentActor actor, JsonWebToken token) {
        this.service = service;
        this.identity = identity;
        this.actor = actor;
        this.token = token;
    }

    /** Starts a run from a natural request or fields; the answer shows what was extracted, defaulted and inferred, and why. */
    @POST
    @RolesAllowed({Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN})
    @APIResponseSchema(
            value = OnboardingApi.RunView.class,
            responseCode = "201",
            responseDescription = "Run created; `Location` names it.")
    public Uni<RestResponse<OnboardingApi.RunView>> start(@Valid @NotNull OnboardingApi.IntakeRequest request) {
        String raw = token.getRawToken();
        return actor.name()
                .flatMap(who -> service.start(request, identity, who, raw))
                .map(run -> Created.at("/api/agent-target-onboarding", run.id(), run));
    }

    @GET
    @RolesAllowed({Roles.VIEWER, Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN})
    public Uni<PageResponse<OnboardingApi.RunView>> list(
            @QueryParam("state") @Size(max = 40) String state,
            @QueryParam("name_prefix") @Size(max = 63) String namePrefix,
            @QueryParam("target_id") UUID targetId,
            @QueryParam("page") @DefaultValue("0") @Min(0) int page,
            @QueryParam("size") @DefaultValue("50") @Min(1) @Max(500) int size) {
        return service.list(state, namePrefix, targetId, page, size);
    }

    @GET
    @Path("/{id}")
    @RolesAllowed({Roles.VIEWER, Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN})
    public Uni<OnboardingApi.RunView> get(@PathParam("id") UUID id) {
        return service.get(id);
    }

    /** Moves the run one step; where a human must confirm, the run stays and {@code waiting_for} says what is needed. */
    @POST
    @Path("/{id}/advance")
    @RolesAllowed({Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN})
    public Uni<OnboardingApi.RunView> advance(@PathParam("id") UUID id) {
        String raw = token.getRawToken();
        return actor.name().flatMap(who -> service.advance(id, who, raw));
    }

    @POST
    @Path("/{id}/cancel")
    @RolesAllowed({Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN})
    public Uni<OnboardingApi.RunView> cancel(@PathParam("id") UUID id) {
        return actor.name().flatMap(who -> service.cancel(id, who));
    }

    /** The key the host presents now (one key exchange, no login), beside what the run recorded and trusted. */
    @GET
    @Path("/{id}/host-key")
    @RolesAllowed({Roles.VIEWER, Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN})
    public Uni<OnboardingApi.HostKeyReport> hostKey(@PathParam("id") UUID id) {
        return service.hostKey(id);
    }

    /** Trusts the key shown, with {@code confirm_trust: true}; never automatic. Production needs an approver. */
    @POST
    @Path("/{id}/host-key/trust")
    @RolesAllowed({Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN})
    public Uni<OnboardingApi.RunView> trust(
            @PathParam("id") UUID id, @Valid @NotNull OnboardingApi.TrustRequest request) {
        return actor.name().flatMap(who -> service.trust(id, request, identity, who));
    }
}
