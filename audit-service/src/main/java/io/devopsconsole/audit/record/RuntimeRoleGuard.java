package io.devopsconsole.audit.record;

import io.quarkus.runtime.StartupEvent;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Refuses to start when the database role the service runs as could change or remove audit
 * records (a superuser, the table's owner, or a role granted UPDATE, DELETE or TRUNCATE), or
 * set the feed's publication position (UPDATE on it: silence or replay the SIEM feed): the
 * append-only promise must not rest on the application's good behaviour alone.
 */
@ApplicationScoped
public class RuntimeRoleGuard {

    private static final Logger LOG = Logger.getLogger(RuntimeRoleGuard.class);

    private final Pool pool;
    private final String table;
    private final String publication;

    public RuntimeRoleGuard(Pool pool, @ConfigProperty(name = "devops.schema") String schema) {
        this.pool = pool;
        this.table = schema + ".audit_record";
        this.publication = schema + ".audit_publication";
    }

    void check(@Observes StartupEvent event) {
        Row row = pool.preparedQuery("SELECT current_user AS role, r.rolsuper AS superuser,"
                        + " pg_has_role(current_user, c.relowner, 'USAGE') AS owner,"
                        + " has_table_privilege(current_user, $1, 'UPDATE') AS can_update,"
                        + " has_table_privilege(current_user, $1, 'DELETE') AS can_delete,"
                        + " has_table_privilege(current_user, $1, 'TRUNCATE') AS can_truncate,"
                        + " has_table_privilege(current_user, $2, 'UPDATE') AS can_move_publication"
                        + " FROM pg_roles r, pg_class c WHERE r.rolname = current_user AND c.oid = $1::regclass")
                .execute(io.vertx.mutiny.sqlclient.Tuple.of(table, publication))
                .await()
                .atMost(Duration.ofSeconds(30))
                .iterator()
                .next();
        String role = row.getString("role");
        if (row.getBoolean("superuser")
                || row.getBoolean("owner")
                || row.getBoolean("can_update")
                || row.getBoolean("can_delete")
                || row.getBoolean("can_truncate")) {
            throw new IllegalStateException(
                    "audit-service refuses to run as database role '" + role + "': it could update"
                            + " or delete audit records. Connect as a role granted only INSERT and SELECT on " + table
                            + " (quarkus.datasource.username) and migrate as the schema owner (quarkus.flyway.username).");
        }
        if (row.getBoolean("can_move_publication")) {
            throw new IllegalStateException("audit-service refuses to run as database role '" + role
                    + "': it could set the"
                    + " publication position of the audit feed (silence or replay it). Revoke UPDATE on " + publication
                    + "; the service moves it forward through audit_publication_advance.");
        }
        LOG.infof("audit-service runs as database role '%s' (INSERT and SELECT on audit records only)", role);
    }
}
