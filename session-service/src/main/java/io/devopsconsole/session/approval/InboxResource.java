package io.devopsconsole.session.approval;

import io.devopsconsole.platform.security.Roles;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The operator's attention inbox: every approval still waiting for a person, across all project
 * sessions, oldest first (the one closest to its automatic denial on top), with the project it belongs
 * to and whether the caller may decide it (the session's operator, or an approver).
 */
@Path("/api/approvals")
@Produces(MediaType.APPLICATION_JSON)
public class InboxResource {

    /** A waiting approval as the inbox shows it. */
    public record InboxItem(
            ApprovalView approval,
            UUID projectId,
            String projectName,
            String sessionState,
            String sessionOperator,
            boolean mayDecide) {}

    public record InboxPage(List<InboxItem> items) {}

    private final SecurityIdentity identity;
    private final io.vertx.mutiny.sqlclient.Pool pool;
    private final String schema;

    public InboxResource(
            SecurityIdentity identity,
            io.vertx.mutiny.sqlclient.Pool pool,
            @ConfigProperty(name = "devops.schema") String schema) {
        this.identity = identity;
        this.pool = pool;
        this.schema = schema;
    }

    @GET
    @Path("/pending")
    @RolesAllowed({Roles.VIEWER, Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN})
    public Uni<InboxPage> pending() {
        String name = identity.getPrincipal().getName();
        boolean approver = identity.hasRole(Roles.APPROVER);
        boolean operator = identity.hasRole(Roles.OPERATOR) || approver || identity.hasRole(Roles.ADMIN);
        String columns = ApprovalView.COLUMNS.replaceAll("(^|, )([a-z_]+)", "$1a.$2");
        return pool.preparedQuery(
                        "SELECT " + columns + ", s.project_id, p.name AS project_name, s.state AS session_state,"
                                + " coalesce(s.turn_operator, s.started_by) AS session_operator, s.started_by, s.turn_operator"
                                + " FROM " + schema + ".approval a JOIN " + schema + ".session s ON s.id = a.session_id"
                                + " LEFT JOIN " + schema + ".project_view p ON p.id = s.project_id"
                                + " WHERE a.state = 'pending' AND s.kind = 'project' AND s.state NOT IN ('stopped', 'failed')"
                                + " ORDER BY a.requested_at, a.id LIMIT 500")
                .execute(Tuple.tuple())
                .map(rows -> {
                    List<InboxItem> out = new ArrayList<>();
                    for (Row r : rows) {
                        boolean own =
                                name.equals(r.getString("started_by")) || name.equals(r.getString("turn_operator"));
                        out.add(new InboxItem(
                                ApprovalView.of(r),
                                r.getUUID("project_id"),
                                r.getString("project_name"),
                                r.getString("session_state"),
                                r.getString("session_operator"),
                                operator && (approver || own)));
                    }
                    return new InboxPage(out);
                });
    }
}
