package io.devopsconsole.onboarding.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.devopsconsole.events.DomainEvent;
import io.devopsconsole.platform.outbox.Outbox;
import io.devopsconsole.platform.problem.ConflictException;
import io.devopsconsole.platform.problem.ResourceNotFoundException;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.pgclient.PgException;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Runs and their step history in PostgreSQL. Every change is one transaction: the run row (only
 * at the version it was read), its new steps and the events announcing them (outbox) commit
 * together or not at all.
 */
@ApplicationScoped
public class RunStore {

    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(RunStore.class);

    /** One entry of a run's history. */
    public record Step(
            String step,
            String outcome,
            String fromState,
            String toState,
            String detail,
            JsonNode facts,
            Long durationMs) {}

    private final Pool pool;
    private final Outbox outbox;
    private final ObjectMapper json;
    private final String runs;
    private final String steps;
    private final String alarms;

    public RunStore(
            Pool pool, Outbox outbox, ObjectMapper json, @ConfigProperty(name = "devops.schema") String schema) {
        this.pool = pool;
        this.outbox = outbox;
        this.json = json;
        this.runs = schema + ".onboarding_run";
        this.steps = schema + ".onboarding_step";
        this.alarms = schema + ".host_key_alarm";
    }

    public Uni<Run> insert(Run run, Step first, List<? extends DomainEvent> events, String actor) {
        return pool.withTransaction(c -> c.preparedQuery(
                                "INSERT INTO " + runs + " (id, state, target_id, target_name, host,"
                                        + " port, username, environment, site_id, access_path, tunnel_profile_id, intake, waiting_for,"
                                        + " created_by, created_at, updated_at, version)"
                                        + " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12::jsonb, $13, $14, $15, $15, 0)")
                        .execute(Tuple.from(new Object[] {
                            run.id(),
                            run.state(),
                            run.targetId(),
                            run.targetName(),
                            run.host(),
                            run.port(),
                            run.username(),
                            run.environment(),
                            run.siteId(),
                            run.accessPath(),
                            run.tunnelProfileId(),
                            run.intake().toString(),
                            run.waitingFor(),
                            actor,
                            run.createdAt()
                        }))
                        .flatMap(r -> addSteps(c, run.id(), List.of(first), actor))
                        .flatMap(v -> outbox.recordAll(
                                c, events, actor, io.devopsconsole.onboarding.EventRisk.of(events, run.production()))))
                .onFailure(PgException.class)
                .transform(f -> unique((PgException) f, run.targetName()))
                .invoke(() -> log(events, actor))
                .flatMap(v -> get(run.id()));
    }

    private static Throwable unique(PgException e, String name) {
        if ("23505".equals(e.getSqlState())) {
            return new ConflictException("name", "an onboarding run for " + name + " is already open");
        }
        return e;
    }

    /** Writes {@code run} if the stored one is still at {@code run.version()}; 409 otherwise. */
    public Uni<Run> save(Run run, List<Step> newSteps, List<? extends DomainEvent> events, String actor) {
        return save(run, newSteps, events, actor, null);
    }

    /** As {@link #save}, also clearing the host-key alarm of {@code clearAlarmOf} (a new trust). */
    public Uni<Run> save(
            Run run, List<Step> newSteps, List<? extends DomainEvent> events, String actor, UUID clearAlarmOf) {
        return pool.withTransaction(c -> (clearAlarmOf == null
                                ? Uni.createFrom().voidItem()
                                : clearAlarm(c, clearAlarmOf))
                        .flatMap(cleared -> c.preparedQuery("UPDATE " + runs + " SET state = $3, target_id = $4,"
                                        + " presented_key_type = $5, presented_public_key = $6, presented_fingerprint = $7,"
                                        + " trusted_fingerprint = $8, trusted_public_key = $9, waiting_for = $10, failure = $11,"
                                        + " ssh_connections = $12, finished_at = $13, updated_at = now(), version = version + 1,"
                                        + " advancing_by = NULL, advancing_until = NULL"
                                        + " WHERE id = $1 AND version = $2")
                                .execute(Tuple.from(new Object[] {
                                    run.id(),
                                    run.version(),
                                    run.state(),
                                    run.targetId(),
                                    run.presentedKeyType(),
                                    run.presentedPublicKey(),
                                    run.presentedFingerprint(),
                                    run.trustedFingerprint(),
                                    run.trustedPublicKey(),
                                    run.waitingFor(),
                                    run.failure(),
                                    run.sshConnections(),
                                    run.finishedAt()
                                }))
                                .flatMap(r -> {
                                    if (r.rowCount() == 0) {
                                        throw new ConflictException(
                                                "run " + run.id() + " changed meanwhile; read it again");
                                    }
                                    return addSteps(c, run.id(), newSteps, actor);
                                }))
                        .flatMap(v -> outbox.recordAll(
                                c, events, actor, io.devopsconsole.onboarding.EventRisk.of(events, run.production()))))
                .invoke(() -> log(events, actor))
                .flatMap(v -> get(run.id()));
    }

    /**
     * Claims {@code run} (at the version it was read) for one advance, so two requests — on one replica
     * or two — never do a step's remote work twice: 409 while another advance holds it. The claim ends
     * with the next save or {@link #release}, or lapses after {@code lapse} (its replica died).
     */
    public Uni<Void> claim(Run run, String actor, java.time.Duration lapse) {
        return pool.preparedQuery("UPDATE " + runs + " SET advancing_by = $3,"
                        + " advancing_until = now() + make_interval(secs => $4)"
                        + " WHERE id = $1 AND version = $2 AND (advancing_until IS NULL OR advancing_until < now())")
                .execute(Tuple.of(run.id(), run.version(), actor, (double) lapse.toMillis() / 1000))
                .flatMap(r -> r.rowCount() == 1
                        ? Uni.createFrom().voidItem()
                        : pool.preparedQuery(
                                        "SELECT version, advancing_by, advancing_until FROM " + runs + " WHERE id = $1")
                                .execute(Tuple.of(run.id()))
                                .map(rows -> {
                                    Row now = rows.iterator().hasNext()
                                            ? rows.iterator().next()
                                            : null;
                                    if (now == null || now.getLong("version") != run.version()) {
                                        throw new ConflictException(
                                                "run " + run.id() + " changed meanwhile; read it again");
                                    }
                                    throw new ConflictException(
                                            "state",
                                            "run " + run.id() + " is being advanced already (by "
                                                    + now.getString("advancing_by") + "); wait for that step to end");
                                }));
    }

    /** Ends an advance's claim that did not save (its step failed before a new state could be written). */
    public Uni<Void> release(UUID id) {
        return pool.preparedQuery("UPDATE " + runs + " SET advancing_by = NULL, advancing_until = NULL WHERE id = $1")
                .execute(Tuple.of(id))
                .replaceWithVoid();
    }

    /** Milestones in the service log as well (operator-facing details only; never material). */
    static void log(List<? extends DomainEvent> events, String actor) {
        for (DomainEvent e : events) {
            if (e instanceof io.devopsconsole.events.onboarding.OnboardingMilestone m) {
                LOG.infof(
                        "onboarding run %s (%s): %s, now %s, by %s: %s",
                        m.runId(), m.targetName(), m.milestone(), m.state(), actor, m.detail());
            }
        }
    }

    private Uni<Void> addSteps(SqlConnection c, UUID runId, List<Step> add, String actor) {
        if (add.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<Tuple> batch = new ArrayList<>();
        OffsetDateTime now = OffsetDateTime.now();
        return c.preparedQuery("SELECT coalesce(max(seq), 0) AS s FROM " + steps + " WHERE run_id = $1")
                .execute(Tuple.of(runId))
                .flatMap(rows -> {
                    int seq = rows.iterator().next().getInteger("s");
                    for (Step s : add) {
                        batch.add(Tuple.from(new Object[] {
                            runId,
                            ++seq,
                            s.step(),
                            s.outcome(),
                            s.fromState(),
                            s.toState(),
                            s.detail(),
                            s.facts() == null ? null : s.facts().toString(),
                            actor,
                            now,
                            s.durationMs()
                        }));
                    }
                    return c.preparedQuery(
                                    "INSERT INTO " + steps
                                            + " (run_id, seq, step, outcome, from_state, to_state, detail,"
                                            + " facts, actor, at, duration_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9, $10, $11)")
                            .executeBatch(batch);
                })
                .replaceWithVoid();
    }

    public Uni<Run> get(UUID id) {
        return find(id).map(r -> r.orElseThrow(() -> new ResourceNotFoundException("onboarding run", id)));
    }

    public Uni<Optional<Run>> find(UUID id) {
        return pool.preparedQuery("SELECT * FROM " + runs + " WHERE id = $1")
                .execute(Tuple.of(id))
                .map(rows -> rows.size() == 0
                        ? Optional.empty()
                        : Optional.of(run(rows.iterator().next())));
    }

    /** The open run (not ready, failed or cancelled) of a target, if any. */
    public Uni<Optional<Run>> openRunOf(UUID targetId) {
        return pool.preparedQuery("SELECT * FROM " + runs + " WHERE target_id = $1 AND state NOT IN ('ready', 'failed',"
                        + " 'cancelled') ORDER BY created_at DESC LIMIT 1")
                .execute(Tuple.of(targetId))
                .map(rows -> rows.size() == 0
                        ? Optional.empty()
                        : Optional.of(run(rows.iterator().next())));
    }

    public record Page(List<Run> runs, long total) {}

    public Uni<Page> list(String state, String namePrefix, UUID targetId, int page, int size) {
        String where = " WHERE ($1::text IS NULL OR state = $1) AND ($2::text IS NULL OR lower(target_name) LIKE $2)"
                + " AND ($3::uuid IS NULL OR target_id = $3)";
        String like = namePrefix == null
                ? null
                : namePrefix
                                .toLowerCase()
                                .replace("\\", "\\\\")
                                .replace("%", "\\%")
                                .replace("_", "\\_") + "%";
        Tuple filter = Tuple.of(state, like, targetId);
        return pool.preparedQuery("SELECT count(*) AS n FROM " + runs + where)
                .execute(filter)
                .flatMap(count -> pool.preparedQuery(
                                "SELECT * FROM " + runs + where + " ORDER BY created_at DESC, id LIMIT $4 OFFSET $5")
                        .execute(Tuple.of(state, like, targetId, size, page * size))
                        .map(rows -> {
                            List<Run> out = new ArrayList<>();
                            rows.forEach(r -> out.add(run(r)));
                            return new Page(out, count.iterator().next().getLong("n"));
                        }));
    }

    public Uni<List<OnboardingApi.StepView>> steps(UUID runId) {
        return pool.preparedQuery("SELECT * FROM " + steps + " WHERE run_id = $1 ORDER BY seq")
                .execute(Tuple.of(runId))
                .map(rows -> {
                    List<OnboardingApi.StepView> out = new ArrayList<>();
                    for (Row r : rows) {
                        out.add(new OnboardingApi.StepView(
                                r.getInteger("seq"),
                                r.getString("step"),
                                r.getString("outcome"),
                                r.getString("from_state"),
                                r.getString("to_state"),
                                r.getString("detail"),
                                node(r.getValue("facts")),
                                r.getString("actor"),
                                r.getOffsetDateTime("at"),
                                r.getLong("duration_ms")));
                    }
                    return out;
                });
    }

    /** A host key change seen on a target: every operation on it stops until it is re-trusted. */
    public Uni<Void> raiseAlarm(UUID targetId, String expected, String presented) {
        return pool.preparedQuery("INSERT INTO " + alarms + " (target_id, expected_fingerprint, presented_fingerprint,"
                        + " detected_at) VALUES ($1, $2, $3, now()) ON CONFLICT (target_id) DO UPDATE SET"
                        + " presented_fingerprint = excluded.presented_fingerprint, detected_at = excluded.detected_at")
                .execute(Tuple.of(targetId, expected, presented))
                .replaceWithVoid();
    }

    public Uni<Void> clearAlarm(SqlConnection c, UUID targetId) {
        return c.preparedQuery("DELETE FROM " + alarms + " WHERE target_id = $1")
                .execute(Tuple.of(targetId))
                .replaceWithVoid();
    }

    /** The alarm's message when the target's host key changed since it was trusted, else empty. */
    public Uni<Optional<String>> alarm(UUID targetId) {
        if (targetId == null) {
            return Uni.createFrom().item(Optional.empty());
        }
        return pool.preparedQuery("SELECT * FROM " + alarms + " WHERE target_id = $1")
                .execute(Tuple.of(targetId))
                .map(rows -> {
                    if (rows.size() == 0) {
                        return Optional.empty();
                    }
                    Row r = rows.iterator().next();
                    return Optional.of(
                            "the host key of this target changed (trusted " + r.getString("expected_fingerprint")
                                    + ", presented " + r.getString("presented_fingerprint") + " at "
                                    + r.getOffsetDateTime("detected_at")
                                    + "): every operation on it is stopped until an operator re-trusts the host");
                });
    }

    public Pool pool() {
        return pool;
    }

    public Outbox outbox() {
        return outbox;
    }

    public String systemActor() {
        return "system:onboarding-service";
    }

    private Run run(Row r) {
        return new Run(
                r.getUUID("id"),
                r.getString("state"),
                r.getUUID("target_id"),
                r.getString("target_name"),
                r.getString("host"),
                r.getInteger("port"),
                r.getString("username"),
                r.getString("environment"),
                r.getUUID("site_id"),
                r.getString("access_path"),
                r.getUUID("tunnel_profile_id"),
                node(r.getValue("intake")),
                r.getString("presented_key_type"),
                r.getString("presented_public_key"),
                r.getString("presented_fingerprint"),
                r.getString("trusted_fingerprint"),
                r.getString("trusted_public_key"),
                r.getString("waiting_for"),
                r.getString("failure"),
                r.getInteger("ssh_connections"),
                r.getString("created_by"),
                r.getOffsetDateTime("created_at"),
                r.getOffsetDateTime("updated_at"),
                r.getOffsetDateTime("finished_at"),
                r.getLong("version"));
    }

    private JsonNode node(Object value) {
        if (value == null) {
            return null;
        }
        try {
            return json.readTree(value.toString());
        } catch (Exception e) {
            throw new IllegalStateException("unreadable JSON column", e);
        }
    }
}
