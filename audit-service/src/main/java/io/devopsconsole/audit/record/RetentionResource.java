package io.devopsconsole.audit.record;

import io.devopsconsole.platform.problem.ConflictException;
import io.devopsconsole.platform.security.CurrentActor;
import io.devopsconsole.platform.security.Roles;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** The retention policy: what is kept, the anchors left by pruning, and an admin's "apply it now". */
@Path("/api/audit/retention")
@Produces(MediaType.APPLICATION_JSON)
public class RetentionResource {

    private final RetentionService retention;
    private final CurrentActor actor;

    public RetentionResource(RetentionService retention, CurrentActor actor) {
        this.retention = retention;
        this.actor = actor;
    }

    @GET
    @RolesAllowed({Roles.VIEWER, Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN})
    public Uni<RetentionService.Policy> policy() {
        return retention.policy();
    }

    /** Prunes what the configured policy says is due, now; 409 when no policy is configured. */
    @POST
    @Path("/run")
    @RolesAllowed(Roles.ADMIN)
    public Uni<RetentionService.Run> run() {
        if (retention.maxAge().isEmpty()) {
            throw new ConflictException(
                    "no retention policy is configured (devops.audit.retention.max-age); every record is kept");
        }
        return actor.name().flatMap(retention::run);
    }
}
