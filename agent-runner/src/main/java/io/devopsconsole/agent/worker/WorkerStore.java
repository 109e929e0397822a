package io.devopsconsole.agent.worker;

import io.devopsconsole.events.CloudEventCodec;
import io.devopsconsole.events.agent.AgentLifecycleEvent;
import io.devopsconsole.events.agent.WorkerStateChanged;
import io.devopsconsole.platform.outbox.Outbox;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Worker rows, and the lifecycle events that go with their changes (written to the outbox in the
 * same transaction, so a worker's recorded state and its announcement never disagree).
 */
@ApplicationScoped
public class WorkerStore {

    static final String ACTOR = "agent-runner";

    /** A worker as the API shows it. */
    public record WorkerView(
            UUID id,
            UUID sessionId,
            UUID projectId,
            UUID targetId,
            String targetName,
            String workingDirectory,
            String transport,
            String threadId,
            String state,
            String currentTurnId,
            String message,
            String runnerInstance,
            OffsetDateTime startedAt,
            OffsetDateTime lastActivityAt,
            OffsetDateTime stoppedAt,
            String serverKey,
            long fence,
            OffsetDateTime heartbeatAt,
            long totalTokens) {

        WorkerView with(String transport, String serverKey) {
            return new WorkerView(
                    id,
                    sessionId,
                    projectId,
                    targetId,
                    targetName,
                    workingDirectory,
                    transport,
                    threadId,
                    state,
                    currentTurnId,
                    message,
                    runnerInstance,
                    startedAt,
                    lastActivityAt,
                    stoppedAt,
                    serverKey,
                    fence,
                    heartbeatAt,
                    totalTokens);
        }

        WorkerView withMessage(String message) {
            return new WorkerView(
                    id,
                    sessionId,
                    projectId,
                    targetId,
                    targetName,
                    workingDirectory,
                    transport,
                    threadId,
                    state,
                    currentTurnId,
                    message,
                    runnerInstance,
                    startedAt,
                    lastActivityAt,
                    stoppedAt,
                    serverKey,
                    fence,
                    heartbeatAt,
                    totalTokens);
        }

        boolean durable() {
            return "durable".equals(transport);
        }

        boolean live() {
            return !state.equals("stopped") && !state.equals("failed") && !state.equals("lost");
        }
    }

    private final Pool pool;
    private final Outbox outbox;
    private final String table;

    public WorkerStore(Pool pool, Outbox outbox, @ConfigProperty(name = "devops.schema") String schema) {
        this.pool = pool;
        this.outbox = outbox;
        this.table = schema + ".worker";
    }

    public Uni<WorkerView> create(
            UUID id,
            UUID sessionId,
            UUID projectId,
            UUID targetId,
            String targetName,
            String directory,
            String runner,
            String transport,
            String serverKey,
            long fence) {
        OffsetDateTime now = now();
        WorkerStateChanged event =
                new WorkerStateChanged(sessionId, id, targetId, targetName, directory, transport, "starting", null);
        return pool.withTransaction(c -> c.preparedQuery(
                        "INSERT INTO " + table + " (id, session_id, project_id, target_id,"
                                + " target_name, working_directory, transport, state, runner_instance, started_at, last_activity_at,"
                                + " server_key, fence, heartbeat_at)"
                                + " VALUES ($1, $2, $3, $4, $5, $6, $9, 'starting', $7, $8, $8, $10, $11, $8) RETURNING *")
                .execute(Tuple.from(new Object[] {
                    id, sessionId, projectId, targetId, targetName, directory, runner, now, transport, serverKey, fence
                }))
                .flatMap(rows -> outbox.recordAll(c, List.of(event), ACTOR, ext(sessionId))
                        .replaceWith(view(rows.iterator().next()))));
    }

    /**
     * Moves a worker to a state (announcing it), optionally setting its thread and current turn.
     * Only the owner holding the worker's fence can: a superseded runner's writes change nothing.
     */
    public Uni<Void> state(WorkerView w, String state, String message, String threadId, String turnId) {
        return pool.withTransaction(c -> stateIn(c, w, state, message, threadId, turnId));
    }

    /**
     * A turn the app-server has begun, recorded in one transaction (one commit, where three separate ones made
     * the session's thread wait while the turn's first lines queued behind it; issue 24): what {@code alongside}
     * writes (the command carried out), the worker busy with the turn (announced), then {@code started}.
     */
    public Uni<Void> turnStarted(
            WorkerView w,
            String turnId,
            AgentLifecycleEvent started,
            java.util.function.Function<io.vertx.mutiny.sqlclient.SqlConnection, Uni<Void>> alongside) {
        return pool.withTransaction(c -> alongside
                .apply(c)
                .chain(() -> stateIn(c, w, "busy", null, null, turnId))
                .chain(() -> outbox.recordAll(c, List.of(started), ACTOR, ext(w.sessionId())))
                .replaceWithVoid());
    }

    private Uni<Void> stateIn(
            io.vertx.mutiny.sqlclient.SqlConnection c,
            WorkerView w,
            String state,
            String message,
            String threadId,
            String turnId) {
        boolean ended = state.equals("stopped") || state.equals("failed") || state.equals("lost");
        WorkerStateChanged event = new WorkerStateChanged(
                w.sessionId(),
                w.id(),
                w.targetId(),
                w.targetName(),
                w.workingDirectory(),
                w.transport(),
                state,
                message);
        return c.preparedQuery("UPDATE " + table + " SET state = $2, message = $3,"
                        + " thread_id = coalesce($4, thread_id), current_turn_id = $5, last_activity_at = $6,"
                        + " stopped_at = CASE WHEN $7 THEN $6 ELSE stopped_at END,"
                        + " transport = $9, server_key = coalesce($10, server_key)"
                        + " WHERE id = $1 AND fence = $8 AND (state <> $2 OR current_turn_id IS DISTINCT FROM $5"
                        + " OR transport <> $9) RETURNING id")
                .execute(Tuple.from(new Object[] {
                    w.id(), state, message, threadId, turnId, now(), ended, w.fence(), w.transport(), w.serverKey()
                }))
                .flatMap(rows -> rows.size() == 0
                        ? Uni.createFrom().voidItem()
                        : outbox.recordAll(c, List.of(event), ACTOR, ext(w.sessionId())))
                .replaceWithVoid();
    }

    /** The worker's heartbeat (and, when there was activity, its last activity); false when this owner was fenced off. */
    public Uni<Boolean> heartbeat(WorkerView w, boolean active, long totalTokens) {
        return pool.preparedQuery(
                        "UPDATE " + table + " SET heartbeat_at = $2, last_activity_at = CASE WHEN $3 THEN $2"
                                + " ELSE last_activity_at END, total_tokens = greatest(total_tokens, $5) WHERE id = $1 AND fence = $4")
                .execute(Tuple.from(new Object[] {w.id(), now(), active, w.fence(), totalTokens}))
                .map(rows -> rows.rowCount() == 1);
    }

    /**
     * Takes a live worker over for a new owner (fence and runner instance); the view as taken, or
     * empty when it is no longer live or a newer owner has it already.
     */
    public Uni<Optional<WorkerView>> adopt(UUID workerId, long fence, String runner) {
        return pool.preparedQuery("UPDATE " + table + " SET fence = $2, runner_instance = $3, heartbeat_at = $4"
                        + " WHERE id = $1 AND fence < $2 AND state NOT IN ('stopped', 'failed', 'lost') RETURNING *")
                .execute(Tuple.of(workerId, fence, runner, now()))
                .map(rows -> rows.size() == 0
                        ? Optional.empty()
                        : Optional.of(view(rows.iterator().next())));
    }

    /** The thread the session's latest worker on this target ran (a new worker there resumes it). */
    public Uni<Optional<String>> lastThread(UUID sessionId, UUID targetId) {
        return pool.preparedQuery("SELECT thread_id FROM " + table + " WHERE session_id = $1 AND target_id = $2"
                        + " AND thread_id IS NOT NULL ORDER BY started_at DESC LIMIT 1")
                .execute(Tuple.of(sessionId, targetId))
                .map(rows -> rows.size() == 0
                        ? Optional.empty()
                        : Optional.ofNullable(rows.iterator().next().getString(0)));
    }

    /** A stop asked of another replica, for the runner that drives the worker. */
    public record StopRequest(UUID workerId, String requestedBy) {}

    /** Records a stop for the runner that drives the worker; false when the worker has ended. */
    public Uni<Boolean> requestStop(UUID workerId, String requestedBy) {
        return pool.preparedQuery("UPDATE " + table + " SET stop_requested_by = $2, stop_requested_at = $3"
                        + " WHERE id = $1 AND state NOT IN ('stopped', 'failed', 'lost')")
                .execute(Tuple.of(workerId, requestedBy, now()))
                .map(rows -> rows.rowCount() == 1);
    }

    /** The stops asked for live workers this runner drives. */
    public Uni<List<StopRequest>> stopRequests(String runner) {
        return pool.preparedQuery("SELECT id, stop_requested_by FROM " + table + " WHERE runner_instance = $1"
                        + " AND stop_requested_at IS NOT NULL AND state NOT IN ('stopped', 'failed', 'lost')")
                .execute(Tuple.of(runner))
                .map(rows -> {
                    List<StopRequest> out = new ArrayList<>();
                    rows.forEach(r -> out.add(new StopRequest(r.getUUID(0), r.getString(1))));
                    return out;
                });
    }

    /** The stop was handed to the worker's driver. */
    public Uni<Void> stopRequestTaken(UUID workerId) {
        return pool.preparedQuery("UPDATE " + table + " SET stop_requested_by = NULL, stop_requested_at = NULL"
                        + " WHERE id = $1")
                .execute(Tuple.of(workerId))
                .replaceWithVoid();
    }

    /** The session's live workers (any runner's). */
    public Uni<List<WorkerView>> live(UUID sessionId) {
        return pool.preparedQuery("SELECT * FROM " + table
                        + " WHERE session_id = $1 AND state NOT IN ('stopped', 'failed', 'lost')"
                        + " ORDER BY started_at")
                .execute(Tuple.of(sessionId))
                .map(rows -> {
                    List<WorkerView> out = new ArrayList<>();
                    rows.forEach(r -> out.add(view(r)));
                    return out;
                });
    }

    /** The sessions that have live workers. */
    public Uni<List<UUID>> sessionsWithLiveWorkers() {
        return pool.preparedQuery("SELECT DISTINCT session_id FROM " + table
                        + " WHERE state NOT IN ('stopped', 'failed', 'lost')")
                .execute()
                .map(rows -> {
                    List<UUID> out = new ArrayList<>();
                    rows.forEach(r -> out.add(r.getUUID(0)));
                    return out;
                });
    }

    /** The targets this service's workers were started on since the given time (for the app-server sweep). */
    public Uni<List<UUID>> targetsUsedSince(java.time.OffsetDateTime since) {
        return pool.preparedQuery("SELECT DISTINCT target_id FROM " + table
                        + " WHERE started_at >= $1 OR stopped_at IS NULL" + " OR stopped_at >= $1")
                .execute(Tuple.of(since))
                .map(rows -> {
                    List<UUID> out = new ArrayList<>();
                    rows.forEach(r -> out.add(r.getUUID(0)));
                    return out;
                });
    }

    /** The live worker using a durable app-server, if any. */
    /** The live workers on a target that use one of {@code serverKeys}, by server key (one query for a whole listing). */
    public Uni<java.util.Map<String, WorkerView>> liveByServerKeys(
            UUID targetId, java.util.Collection<String> serverKeys) {
        if (serverKeys.isEmpty()) {
            return Uni.createFrom().item(java.util.Map.of());
        }
        return pool.preparedQuery("SELECT * FROM " + table + " WHERE target_id = $1 AND server_key = ANY($2)"
                        + " AND state NOT IN ('stopped', 'failed', 'lost')")
                .execute(Tuple.of(targetId, serverKeys.toArray(String[]::new)))
                .map(rows -> {
                    java.util.Map<String, WorkerView> out = new java.util.HashMap<>();
                    rows.forEach(row -> out.putIfAbsent(row.getString("server_key"), view(row)));
                    return out;
                });
    }

    public Uni<Optional<WorkerView>> liveByServerKey(UUID targetId, String serverKey) {
        return pool.preparedQuery("SELECT * FROM " + table + " WHERE target_id = $1 AND server_key = $2"
                        + " AND state NOT IN ('stopped', 'failed', 'lost') LIMIT 1")
                .execute(Tuple.of(targetId, serverKey))
                .map(rows -> rows.size() == 0
                        ? Optional.empty()
                        : Optional.of(view(rows.iterator().next())));
    }

    /** Lifecycle events (turns, commands) of a session, announced through the outbox. */
    public Uni<Void> announce(UUID sessionId, List<? extends AgentLifecycleEvent> events) {
        if (events.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return pool.withTransaction(c -> outbox.recordAll(c, events, ACTOR, ext(sessionId)));
    }

    public Uni<Optional<WorkerView>> get(UUID id) {
        return pool.preparedQuery("SELECT * FROM " + table + " WHERE id = $1")
                .execute(Tuple.of(id))
                .map(rows -> rows.size() == 0
                        ? Optional.empty()
                        : Optional.of(view(rows.iterator().next())));
    }

    public Uni<List<WorkerView>> list(UUID sessionId, String state, int limit) {
        List<Object> args = new ArrayList<>();
        StringBuilder where = new StringBuilder(" WHERE true");
        if (sessionId != null) {
            args.add(sessionId);
            where.append(" AND session_id = $").append(args.size());
        }
        if (state != null) {
            args.add(state);
            where.append(" AND state = $").append(args.size());
        }
        args.add(limit);
        return pool.preparedQuery(
                        "SELECT * FROM " + table + where + " ORDER BY started_at DESC, id LIMIT $" + args.size())
                .execute(Tuple.from(args))
                .map(rows -> {
                    List<WorkerView> out = new ArrayList<>();
                    rows.forEach(r -> out.add(view(r)));
                    return out;
                });
    }

    private static Map<String, String> ext(UUID sessionId) {
        return Map.of(CloudEventCodec.SESSION_ID, sessionId.toString());
    }

    private static OffsetDateTime now() {
        return OffsetDateTime.now(ZoneOffset.UTC);
    }

    private static WorkerView view(Row r) {
        return new WorkerView(
                r.getUUID("id"),
                r.getUUID("session_id"),
                r.getUUID("project_id"),
                r.getUUID("target_id"),
                r.getString("target_name"),
                r.getString("working_directory"),
                r.getString("transport"),
                r.getString("thread_id"),
                r.getString("state"),
                r.getString("current_turn_id"),
                r.getString("message"),
                r.getString("runner_instance"),
                r.getOffsetDateTime("started_at"),
                r.getOffsetDateTime("last_activity_at"),
                r.getOffsetDateTime("stopped_at"),
                r.getString("server_key"),
                r.getLong("fence"),
                r.getOffsetDateTime("heartbeat_at"),
                r.getLong("total_tokens"));
    }
}
