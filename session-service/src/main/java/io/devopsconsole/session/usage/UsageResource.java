package io.devopsconsole.session.usage;

import io.devopsconsole.platform.security.Roles;
import io.devopsconsole.session.session.SessionStore;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.UUID;

/** Token usage summed per session and per project (from the runner's token_usage records). */
@Path("/api/usage")
@Produces(MediaType.APPLICATION_JSON)
public class UsageResource {

    private final TokenUsage usage;
    private final SessionStore sessions;

    public UsageResource(TokenUsage usage, SessionStore sessions) {
        this.usage = usage;
        this.sessions = sessions;
    }

    /** 404 for an unknown session. */
    @GET
    @Path("/sessions/{id}")
    @RolesAllowed({Roles.VIEWER, Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN})
    public Uni<TokenUsage.Usage> session(@PathParam("id") UUID id) {
        return sessions.get(id).flatMap(s -> usage.ofSession(id));
    }

    @GET
    @Path("/projects/{id}")
    @RolesAllowed({Roles.VIEWER, Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN})
    public Uni<TokenUsage.Usage> project(@PathParam("id") UUID id) {
        return usage.ofProject(id);
    }
}
