package io.devopsconsole.audit.record;

import io.devopsconsole.platform.security.Roles;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import java.time.OffsetDateTime;

@Path("/api/audit/events")
@Produces(MediaType.APPLICATION_JSON)
public class AuditResource {

    private final AuditService service;

    public AuditResource(AuditService service) {
        this.service = service;
    }

    /** Audit records, newest first, filtered; {@code from}/{@code to} are ISO-8601 times (to is exclusive). */
    @GET
    @RolesAllowed({Roles.VIEWER, Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN})
    public Uni<AuditRecordResponse.Page> search(@QueryParam("resource_type") @Size(max = 100) String resourceType,
                                                @QueryParam("resource_id") @Size(max = 200) String resourceId,
                                                @QueryParam("actor") @Size(max = 200) String actor,
                                                @QueryParam("action") @Size(max = 100) String action,
                                                @QueryParam("from") OffsetDateTime from,
                                                @QueryParam("to") OffsetDateTime to,
                                                @QueryParam("cursor") @Size(max = 40) String cursor,
                                                @QueryParam("limit") @DefaultValue("50") @Min(1) @Max(500) int limit) {
        return service.search(resourceType, resourceId, actor, action, from, to, cursor, limit);
    }
}
