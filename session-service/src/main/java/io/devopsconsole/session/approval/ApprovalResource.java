package io.devopsconsole.session.approval;

import io.devopsconsole.platform.security.Roles;
import io.devopsconsole.session.command.CommandAuditView;
import io.devopsconsole.session.session.SessionStore;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;

@Path("/api/sessions/{id}")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class ApprovalResource {

    private final Approvals approvals;
    private final SessionStore sessions;
    private final SecurityIdentity identity;
    private final io.vertx.mutiny.sqlclient.Pool pool;
    private final String schema;

    public ApprovalResource(
            Approvals approvals,
            SessionStore sessions,
            SecurityIdentity identity,
            io.vertx.mutiny.sqlclient.Pool pool,
            @ConfigProperty(name = "devops.schema") String schema) {
        this.approvals = approvals;
        this.sessions = sessions;
        this.identity = identity;
        this.pool = pool;
        this.schema = schema;
    }

    @GET
    @Path("/approvals")
    @RolesAllowed({Roles.VIEWER, Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN})
    public Uni<ApprovalView.Page> list(
            @PathParam("id") UUID id,
            @QueryParam("state") @Pattern(regexp = "pending|approved|denied|expired") String state) {
        return sessions.get(id).flatMap(s -> approvals.list(id, state)).map(ApprovalView.Page::new);
    }

    @GET
    @Path("/approvals/{approvalId}")
    @RolesAllowed({Roles.VIEWER, Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN})
    public Uni<ApprovalView> get(@PathParam("id") UUID id, @PathParam("approvalId") UUID approvalId) {
        return approvals.get(id, approvalId);
    }

    /** Approves or denies a pending request: the session's operator or an approver; a second decision is 409. */
    @POST
    @Path("/approvals/{approvalId}/decision")
    @RolesAllowed({Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN})
    public Uni<ApprovalView> decide(
            @PathParam("id") UUID id,
            @PathParam("approvalId") UUID approvalId,
            @Valid @NotNull ApprovalView.DecisionRequest request) {
        return approvals.decide(id, approvalId, request, identity);
    }

    /** What the agent ran in this session, newest first. */
    @GET
    @Path("/commands")
    @RolesAllowed({Roles.VIEWER, Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN})
    public Uni<CommandAuditView.Page> commands(@PathParam("id") UUID id) {
        return sessions.get(id)
                .flatMap(s -> pool.preparedQuery("SELECT " + CommandAuditView.COLUMNS + " FROM " + schema
                                + ".command_audit WHERE session_id = $1 ORDER BY completed_at DESC LIMIT 500")
                        .execute(io.vertx.mutiny.sqlclient.Tuple.of(id)))
                .map(rows -> {
                    List<CommandAuditView> out = new ArrayList<>();
                    rows.forEach(r -> out.add(CommandAuditView.of(r)));
                    return new CommandAuditView.Page(out);
                });
    }
}
