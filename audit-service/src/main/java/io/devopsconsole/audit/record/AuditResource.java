package io.devopsconsole.audit.record;

import io.devopsconsole.platform.problem.Problem;
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
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.OffsetDateTime;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.jboss.resteasy.reactive.RestResponse;

@Path("/api/audit/events")
@Produces(MediaType.APPLICATION_JSON)
public class AuditResource {

    private static final java.util.regex.Pattern CLIENT =
            java.util.regex.Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");

    private final AuditService service;
    private final SecurityIdentity identity;
    private final DirectPostBudget budget;

    public AuditResource(AuditService service, SecurityIdentity identity, DirectPostBudget budget) {
        this.service = service;
        this.identity = identity;
        this.budget = budget;
    }

    /** Records an event from an outside producer (201, or 200 when this id was recorded before). */
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed({Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN})
    @APIResponse(
            responseCode = "201",
            description = "Recorded.",
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(implementation = AuditRecordResponse.class)))
    @APIResponse(
            responseCode = "200",
            description = "An event with this id was recorded before; that record.",
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(implementation = AuditRecordResponse.class)))
    @APIResponse(
            responseCode = "429",
            description = "This user posted more than its budget; retry after the Retry-After seconds",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<RestResponse<AuditRecordResponse>> submit(@Valid @NotNull SubmitEventRequest request) {
        String actor = identity.getPrincipal().getName();
        java.time.Duration wait = budget.take(actor);
        if (!wait.isZero()) {
            long seconds = Math.max(1, (wait.toMillis() + 999) / 1000);
            throw new WebApplicationException(Response.status(429)
                    .type(Problem.MEDIA)
                    .header("Retry-After", seconds)
                    .entity(Problem.of(
                            429,
                            "Too Many Requests",
                            actor + " posted more audit events than its budget" + " allows; retry in " + seconds
                                    + " s"))
                    .build());
        }
        return service.submit(request, actor, client())
                .map(s -> s.created()
                        ? RestResponse.status(RestResponse.Status.CREATED, s.record())
                        : RestResponse.ok(s.record()));
    }

    /** The client the token was issued to (its {@code azp}), as the record's source names it. */
    private String client() {
        Object azp = identity.getPrincipal() instanceof JsonWebToken jwt ? jwt.getClaim("azp") : null;
        String client = azp == null ? "" : azp.toString();
        return CLIENT.matcher(client).matches() ? client : "unknown-client";
    }

    /** Audit records, newest first, filtered; {@code from}/{@code to} are ISO-8601 times (to is exclusive). */
    @GET
    @RolesAllowed({Roles.VIEWER, Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN})
    public Uni<AuditRecordResponse.Page> search(
            @QueryParam("resource_type") @Size(max = 100) String resourceType,
            @QueryParam("resource_id") @Size(max = 200) String resourceId,
            @QueryParam("actor") @Size(max = 200) String actor,
            @QueryParam("action") @Size(max = 100) String action,
            @QueryParam("risk") @Size(max = 20) String risk,
            @QueryParam("session_id") @Size(max = 100) String sessionId,
            @QueryParam("q") @Size(max = 200) String text,
            @QueryParam("from") OffsetDateTime from,
            @QueryParam("to") OffsetDateTime to,
            @QueryParam("cursor") @Size(max = 40) String cursor,
            @QueryParam("limit") @DefaultValue("50") @Min(1) @Max(500) int limit) {
        return service.search(resourceType, resourceId, actor, action, risk, sessionId, text, from, to, cursor, limit);
    }
}
