package io.devopsconsole.onboarding.workflow;

import io.devopsconsole.events.DomainEvent;
import io.devopsconsole.onboarding.EventRisk;
import io.devopsconsole.onboarding.run.PlanStore;
import io.devopsconsole.platform.outbox.Outbox;
import io.devopsconsole.platform.problem.ConflictException;
import io.devopsconsole.platform.problem.ResourceNotFoundException;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonArray;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Host workflows as stored: rows of the install plans' table with no run and their own workflow
 * name (V4), so they share the plans' step rows, lease and lifecycle. Every state change is one
 * conditional UPDATE with its events in the same transaction: two replicas (or two clicks) deciding
 * at once move a workflow once, the other gets 409.
 */
@ApplicationScoped
public class WorkflowStore {

    public record Workflow(
            UUID id,
            String workflow,
            UUID targetId,
            String targetName,
            String environment,
            String directory,
            String state,
            List<String> steps,
            String requestedBy,
            OffsetDateTime requestedAt,
            String decidedBy,
            OffsetDateTime decidedAt,
            String decisionNote,
            String executedBy,
            OffsetDateTime startedAt,
            OffsetDateTime finishedAt,
            String summary,
            String resultUrl,
            long version) {

        boolean production() {
            return "production".equals(environment);
        }
    }

    private final Pool pool;
    private final Outbox outbox;
    private final String table;

    public WorkflowStore(Pool pool, Outbox outbox, @ConfigProperty(name = "devops.schema") String schema) {
        this.pool = pool;
        this.outbox = outbox;
        this.table = schema + ".install_plan";
    }

    /** Stores a proposed workflow and announces it, in one transaction. */
    public Uni<UUID> propose(
            UUID id,
            String workflow,
            UUID targetId,
            String targetName,
            String environment,
            String directory,
            List<String> commands,
            String actor,
            List<? extends DomainEvent> events) {
        return pool.withTransaction(c -> c.preparedQuery("INSERT INTO " + table
                                + " (id, run_id, target_id, target_name, environment, state, advisory, steps, requested_by,"
                                + " requested_at, workflow, directory) VALUES ($1, NULL, $2, $3, $4, 'proposed', $5,"
                                + " $6::jsonb, $7, now(), $8, $9)")
                        .execute(Tuple.from(new Object[] {
                            id,
                            targetId,
                            targetName,
                            environment,
                            "approve, then execute with confirm_execute",
                            new JsonArray(new ArrayList<>(commands)).encode(),
                            actor,
                            workflow,
                            directory
                        }))
                        .flatMap(r -> outbox.recordAll(c, events, actor, EventRisk.of(events, false))))
                .replaceWith(id);
    }

    public Uni<Workflow> get(UUID id) {
        return pool.preparedQuery(
                        "SELECT * FROM " + table + " WHERE id = $1 AND workflow <> '" + PlanStore.INSTALL + "'")
                .execute(Tuple.of(id))
                .map(rows -> {
                    if (rows.size() == 0) {
                        throw new ResourceNotFoundException("host workflow", id);
                    }
                    return workflow(rows.iterator().next());
                });
    }

    public Uni<List<Workflow>> list(UUID targetId, String state, int page, int size) {
        return pool.preparedQuery("SELECT * FROM " + table + " WHERE workflow <> '" + PlanStore.INSTALL + "'"
                        + " AND ($1::uuid IS NULL OR target_id = $1) AND ($2::text IS NULL OR state = $2)"
                        + " ORDER BY requested_at DESC, id LIMIT $3 OFFSET $4")
                .execute(Tuple.of(targetId, state, size, page * size))
                .map(rows -> {
                    List<Workflow> out = new ArrayList<>();
                    rows.forEach(r -> out.add(workflow(r)));
                    return out;
                });
    }

    /**
     * Approved → executing, only while nothing else (workflow or install plan) executes on the target:
     * the target's advisory lock serialises replicas starting work there at the same moment. 409 naming
     * {@code state} when the workflow moved, {@code target_id} when the target is busy.
     */
    public Uni<Workflow> start(Workflow w, String actor, List<? extends DomainEvent> events) {
        return pool.withTransaction(c -> c.preparedQuery("SELECT pg_advisory_xact_lock(hashtextextended($1, 7))")
                        .execute(Tuple.of("host-work:" + w.targetId()))
                        .flatMap(locked -> c.preparedQuery("UPDATE " + table
                                        + " SET state = 'executing', executed_by = $2,"
                                        + " started_at = now(), lease_until = now() + make_interval(secs => "
                                        + PlanStore.EXECUTION_LEASE.toSeconds() + "), version = version + 1"
                                        + " WHERE id = $1 AND state = 'approved' AND NOT EXISTS (SELECT 1 FROM " + table
                                        + " o WHERE o.target_id = $3 AND o.id <> $1 AND o.state = 'executing')"
                                        + " RETURNING id")
                                .execute(Tuple.of(w.id(), actor, w.targetId())))
                        .flatMap(r -> {
                            if (r.rowCount() == 0) {
                                return c.preparedQuery("SELECT state FROM " + table + " WHERE id = $1")
                                        .execute(Tuple.of(w.id()))
                                        .<Void>map(rows -> {
                                            String now = rows.iterator().next().getString("state");
                                            if (!"approved".equals(now)) {
                                                throw new ConflictException(
                                                        "state",
                                                        "host workflow " + w.id() + " is " + now
                                                                + "; only an approved workflow runs");
                                            }
                                            throw new ConflictException(
                                                    "target_id",
                                                    "another workflow or install plan is executing on "
                                                            + w.targetName());
                                        });
                            }
                            return outbox.recordAll(c, events, actor, EventRisk.of(events, w.production()));
                        }))
                .flatMap(v -> get(w.id()));
    }

    /**
     * Moves a workflow from one of {@code from} to {@code to}, with its events; 409 naming
     * {@code state} if it is no longer in {@code from}.
     */
    public Uni<Workflow> move(
            Workflow w,
            List<String> from,
            String to,
            String actor,
            String note,
            String resultUrl,
            List<? extends DomainEvent> events) {
        String set = switch (to) {
            case "approved", "rejected" -> "decided_by = $4, decided_at = now(), decision_note = $5";
            default -> "finished_at = now(), summary = $5, executed_by = coalesce(executed_by, $4), result_url = $6";
        };
        return pool.withTransaction(c -> c.preparedQuery("UPDATE " + table + " SET state = $2, " + set
                                + (set.contains("$6") ? "" : ", result_url = coalesce($6::text, result_url)")
                                + ", version = version + 1 WHERE id = $1 AND state = ANY($3)")
                        .execute(Tuple.from(
                                new Object[] {w.id(), to, from.toArray(new String[0]), actor, note, resultUrl}))
                        .flatMap(r -> {
                            if (r.rowCount() == 0) {
                                throw new ConflictException(
                                        "state",
                                        "host workflow " + w.id() + " is no longer " + String.join(" or ", from)
                                                + " (it cannot become " + to + ")");
                            }
                            return outbox.recordAll(c, events, actor, EventRisk.of(events, w.production()));
                        }))
                .flatMap(v -> get(w.id()));
    }

    /** Announces something that does not change the row (a step ended). */
    public Uni<Void> announce(List<? extends DomainEvent> events, String actor) {
        return pool.withTransaction(c -> outbox.recordAll(c, events, actor, EventRisk.of(events, false)));
    }

    /**
     * Workflows left executing by a stopped replica (lease lapsed) end failed, each exactly once
     * (one UPDATE; the row lock decides between sweeping replicas).
     */
    public Uni<List<Workflow>> interrupted() {
        return pool.preparedQuery("UPDATE " + table + " SET state = 'failed', finished_at = now(), summary ="
                        + " 'interrupted: the onboarding-service replica executing it stopped; see the step outputs',"
                        + " version = version + 1 WHERE workflow <> '" + PlanStore.INSTALL + "' AND state = 'executing'"
                        + " AND (lease_until IS NULL OR lease_until < now()) RETURNING *")
                .execute()
                .map(rows -> {
                    List<Workflow> out = new ArrayList<>();
                    rows.forEach(r -> out.add(workflow(r)));
                    return out;
                });
    }

    private static Workflow workflow(Row r) {
        List<String> commands = new ArrayList<>();
        new JsonArray(r.getValue("steps").toString()).forEach(c -> commands.add(c.toString()));
        return new Workflow(
                r.getUUID("id"),
                r.getString("workflow"),
                r.getUUID("target_id"),
                r.getString("target_name"),
                r.getString("environment"),
                r.getString("directory"),
                r.getString("state"),
                commands,
                r.getString("requested_by"),
                r.getOffsetDateTime("requested_at"),
                r.getString("decided_by"),
                r.getOffsetDateTime("decided_at"),
                r.getString("decision_note"),
                r.getString("executed_by"),
                r.getOffsetDateTime("started_at"),
                r.getOffsetDateTime("finished_at"),
                r.getString("summary"),
                r.getString("result_url"),
                r.getLong("version"));
    }
}
