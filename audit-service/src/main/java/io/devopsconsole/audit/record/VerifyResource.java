package io.devopsconsole.audit.record;

import io.devopsconsole.platform.problem.InvalidFieldException;
import io.devopsconsole.platform.security.Roles;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.time.OffsetDateTime;

@Path("/api/audit/verify")
@Produces(MediaType.APPLICATION_JSON)
public class VerifyResource {

    private final ChainVerifier verifier;

    public VerifyResource(ChainVerifier verifier) {
        this.verifier = verifier;
    }

    /**
     * Walks the hash chain (all of it, or the records recorded in {@code [from, to)}) and reports
     * whether it is intact, or its first broken link.
     */
    @GET
    @RolesAllowed({Roles.VIEWER, Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN})
    public Uni<ChainVerifier.Verification> verify(
            @QueryParam("from") OffsetDateTime from, @QueryParam("to") OffsetDateTime to) {
        if (from != null && to != null && !from.isBefore(to)) {
            throw new InvalidFieldException("to", "must be after 'from'");
        }
        return verifier.verify(from, to);
    }
}
