package io.devopsconsole.onboarding.run;

import io.devopsconsole.events.DomainEvent;
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

/** Install plans and the output of their steps. */
@ApplicationScoped
public class PlanStore {

    /** The install plans' workflow name; host workflows (cockpit, ...) share the table under their own. */
    public static final String INSTALL = "codex_install";

    /** A plan as stored; {@code steps} are the fixed commands it will run, in order. */
    public record Plan(
            UUID id,
            UUID runId,
            UUID targetId,
            String targetName,
            String environment,
            String state,
            String advisory,
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
            long version) {

        public boolean production() {
            return "production".equals(environment);
        }
    }

    public record StepOutput(
            int seq,
            String command,
            Integer exitCode,
            String output,
            OffsetDateTime startedAt,
            OffsetDateTime finishedAt) {}

    private final Pool pool;
    private final Outbox outbox;
    private final String plans;
    private final String steps;

    public PlanStore(Pool pool, Outbox outbox, @ConfigProperty(name = "devops.schema") String schema) {
        this.pool = pool;
        this.outbox = outbox;
        this.plans = schema + ".install_plan";
        this.steps = schema + ".install_step";
    }

    public Uni<UUID> propose(Run run, String advisory, List<String> commands, String actor) {
        UUID id = UUID.randomUUID();
        return pool.preparedQuery(
                        "INSERT INTO " + plans + " (id, run_id, target_id, target_name, environment, state, advisory,"
                                + " steps, requested_by, requested_at) VALUES ($1, $2, $3, $4, $5, 'proposed', $6, $7::jsonb, $8, now())")
                .execute(Tuple.from(new Object[] {
                    id,
                    run.id(),
                    run.targetId(),
                    run.targetName(),
                    run.environment(),
                    advisory,
                    new JsonArray(new ArrayList<>(commands)).encode(),
                    actor
                }))
                .replaceWith(id);
    }

    /** The install plan {@code id} (a host workflow's row is not one: 404). */
    public Uni<Plan> get(UUID id) {
        return pool.preparedQuery("SELECT * FROM " + plans + " WHERE id = $1 AND workflow = '" + INSTALL + "'")
                .execute(Tuple.of(id))
                .map(rows -> {
                    if (rows.size() == 0) {
                        throw new ResourceNotFoundException("install plan", id);
                    }
                    return plan(rows.iterator().next());
                });
    }

    public Uni<UUID> latestOf(UUID runId) {
        return pool.preparedQuery("SELECT id FROM " + plans + " WHERE run_id = $1 ORDER BY requested_at DESC LIMIT 1")
                .execute(Tuple.of(runId))
                .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getUUID("id"));
    }

    public Uni<List<Plan>> list(UUID runId, String state, int page, int size) {
        return pool.preparedQuery("SELECT * FROM " + plans + " WHERE workflow = '" + INSTALL + "'"
                        + " AND ($1::uuid IS NULL OR run_id = $1)"
                        + " AND ($2::text IS NULL OR state = $2) ORDER BY requested_at DESC, id LIMIT $3 OFFSET $4")
                .execute(Tuple.of(runId, state, size, page * size))
                .map(rows -> {
                    List<Plan> out = new ArrayList<>();
                    rows.forEach(r -> out.add(plan(r)));
                    return out;
                });
    }

    /** Moves a plan from one of {@code from} to {@code to} (decision or execution start), with its events; 409 if it moved. */
    public Uni<Plan> transition(
            Plan plan, List<String> from, String to, String actor, String note, List<? extends DomainEvent> events) {
        String set = switch (to) {
            case "approved", "rejected" -> "decided_by = $4, decided_at = now(), decision_note = $5";
            case "executing" ->
                "executed_by = $4, started_at = now(), summary = $5::text, lease_until = now() + "
                        + "make_interval(secs => " + EXECUTION_LEASE.toSeconds() + ")";
            default -> "finished_at = now(), summary = $5, executed_by = coalesce(executed_by, $4)";
        };
        return pool.withTransaction(c -> c.preparedQuery("UPDATE " + plans + " SET state = $2, " + set
                                + ", version = version + 1 WHERE id = $1 AND state = ANY($3)")
                        .execute(Tuple.of(plan.id(), to, from.toArray(new String[0]), actor, note))
                        .flatMap(r -> {
                            if (r.rowCount() == 0) {
                                throw new ConflictException(
                                        "state",
                                        "install plan " + plan.id() + " is " + plan.state() + " (needs "
                                                + String.join(" or ", from) + " to become " + to + ")");
                            }
                            return outbox.recordAll(
                                    c,
                                    events,
                                    actor,
                                    io.devopsconsole.onboarding.EventRisk.of(events, plan.production()));
                        }))
                .flatMap(v -> get(plan.id()));
    }

    /** Cancels a run's plans that have not started. */
    public Uni<Void> cancelOpen(UUID runId, String actor) {
        return pool.preparedQuery("UPDATE " + plans + " SET state = 'cancelled', finished_at = now(), summary = $2,"
                        + " version = version + 1 WHERE run_id = $1 AND state IN ('proposed', 'approved')")
                .execute(Tuple.of(runId, "cancelled with the run by " + actor))
                .replaceWithVoid();
    }

    public Uni<Void> stepStarted(UUID planId, int seq, String command) {
        return pool.preparedQuery(
                        "INSERT INTO " + steps + " (plan_id, seq, command, started_at) VALUES ($1, $2, $3, now())")
                .execute(Tuple.of(planId, seq, command))
                .replaceWithVoid();
    }

    public Uni<Void> stepEnded(UUID planId, int seq, int exitCode, String output) {
        return pool.preparedQuery("UPDATE " + steps + " SET exit_code = $3, output = $4, finished_at = now()"
                        + " WHERE plan_id = $1 AND seq = $2")
                .execute(Tuple.of(planId, seq, exitCode, output))
                .replaceWithVoid();
    }

    public Uni<List<StepOutput>> outputs(UUID planId) {
        return pool.preparedQuery("SELECT * FROM " + steps + " WHERE plan_id = $1 ORDER BY seq")
                .execute(Tuple.of(planId))
                .map(rows -> {
                    List<StepOutput> out = new ArrayList<>();
                    for (Row r : rows) {
                        out.add(new StepOutput(
                                r.getInteger("seq"),
                                r.getString("command"),
                                r.getInteger("exit_code"),
                                r.getString("output"),
                                r.getOffsetDateTime("started_at"),
                                r.getOffsetDateTime("finished_at")));
                    }
                    return out;
                });
    }

    /**
     * How long an executing plan's lease holds unless its replica renews it ({@link #renew}, every quarter
     * of this): a plan whose lease lapsed was left by a stopped replica.
     */
    public static final java.time.Duration EXECUTION_LEASE = java.time.Duration.ofSeconds(60);

    /** The executing replica says it still runs {@code planId}'s steps. */
    public Uni<Void> renew(UUID planId) {
        return pool.preparedQuery("UPDATE " + plans + " SET lease_until = now() + make_interval(secs => "
                        + EXECUTION_LEASE.toSeconds() + ") WHERE id = $1 AND state = 'executing'")
                .execute(Tuple.of(planId))
                .replaceWithVoid();
    }

    /**
     * Plans left executing by a stopped replica (lease lapsed): they end failed (their hosts may be
     * half-installed; the steps say how far). One UPDATE: of replicas sweeping at once, each plan goes
     * to exactly one (the row lock), and a plan a live replica still renews is never touched.
     */
    public Uni<List<Plan>> interrupted() {
        return pool.preparedQuery("UPDATE " + plans + " SET state = 'failed', finished_at = now(), summary ="
                        + " 'interrupted: the onboarding-service replica executing it stopped; see the step outputs',"
                        + " version = version + 1 WHERE workflow = '" + INSTALL + "' AND state = 'executing'"
                        + " AND (lease_until IS NULL OR lease_until < now())"
                        + " RETURNING *")
                .execute()
                .map(rows -> {
                    List<Plan> out = new ArrayList<>();
                    rows.forEach(r -> out.add(plan(r)));
                    return out;
                });
    }

    private static Plan plan(Row r) {
        JsonArray commands = new JsonArray(r.getValue("steps").toString());
        List<String> list = new ArrayList<>();
        commands.forEach(c -> list.add(c.toString()));
        return new Plan(
                r.getUUID("id"),
                r.getUUID("run_id"),
                r.getUUID("target_id"),
                r.getString("target_name"),
                r.getString("environment"),
                r.getString("state"),
                r.getString("advisory"),
                list,
                r.getString("requested_by"),
                r.getOffsetDateTime("requested_at"),
                r.getString("decided_by"),
                r.getOffsetDateTime("decided_at"),
                r.getString("decision_note"),
                r.getString("executed_by"),
                r.getOffsetDateTime("started_at"),
                r.getOffsetDateTime("finished_at"),
                r.getString("summary"),
                r.getLong("version"));
    }
}
