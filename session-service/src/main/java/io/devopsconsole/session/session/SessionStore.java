package io.devopsconsole.session.session;

import io.devopsconsole.platform.problem.ResourceNotFoundException;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Reads and writes session rows (through the reactive SQL client; transactions belong to the caller). */
@ApplicationScoped
public class SessionStore {

    private final Pool pool;
    private final String table;
    private final String parkedTable;
    private final String schema;

    public SessionStore(Pool pool, @ConfigProperty(name = "devops.schema") String schema) {
        this.pool = pool;
        this.schema = schema;
        this.table = schema + ".session";
        this.parkedTable = schema + ".stream_parked";
    }

    /** The session row, locked for the caller's transaction (serializes writers of one session). */
    public Uni<Locked> lock(SqlConnection connection, UUID id) {
        return connection
                .preparedQuery("SELECT " + SessionView.COLUMNS + ", last_stream_seq, stream_fence FROM " + table
                        + " WHERE id = $1 AND kind = 'project' FOR UPDATE")
                .execute(Tuple.of(id))
                .map(rows -> {
                    if (rows.size() == 0) {
                        throw new ResourceNotFoundException("session", id);
                    }
                    Row row = rows.iterator().next();
                    return new Locked(
                            SessionView.of(row), row.getLong("last_stream_seq"), row.getLong("stream_fence"), null);
                });
    }

    /** A locked session: its view, the runner stream position stored so far and the highest runner fence seen. */
    public record Locked(SessionView view, long lastStreamSeq, long streamFence, String parked) {}

    /** Several sessions locked in id order (one round trip), with their parked records; unknown ids are absent. */
    public Uni<java.util.Map<UUID, Locked>> lockAllWithParked(SqlConnection connection, List<UUID> sortedIds) {
        return connection
                .preparedQuery("SELECT " + SessionView.COLUMNS
                        + ", last_stream_seq, stream_fence, (SELECT json_agg(json_build_object("
                        + "'seq', p.stream_seq, 'record', p.record, 'at', p.parked_at)) FROM " + parkedTable
                        + " p WHERE p.session_id = s.id)::text AS parked FROM " + table
                        + " s WHERE id = ANY($1) ORDER BY id"
                        + " FOR UPDATE OF s")
                .execute(Tuple.of(sortedIds.toArray(UUID[]::new)))
                .map(rows -> {
                    java.util.Map<UUID, Locked> out = new java.util.HashMap<>();
                    for (Row row : rows) {
                        out.put(
                                row.getUUID("id"),
                                new Locked(
                                        SessionView.of(row),
                                        row.getLong("last_stream_seq"),
                                        row.getLong("stream_fence"),
                                        row.getString("parked")));
                    }
                    return out;
                });
    }

    /** Sets many sessions' transcript and stream positions and states at once (rows already locked). */
    public Uni<Void> advanceAll(
            SqlConnection connection,
            List<UUID> ids,
            List<Long> lastSeqs,
            List<Long> streamPositions,
            List<String> states,
            List<String> reasons,
            List<Long> fences,
            OffsetDateTime now) {
        return connection
                .preparedQuery("UPDATE " + table + " s SET last_seq = v.last_seq, last_stream_seq = v.pos,"
                        + " stream_fence = greatest(s.stream_fence, v.fence),"
                        + " state = v.state, state_reason = CASE"
                        // a stop asked for by a person keeps its reason when the worker confirms it
                        + " WHEN s.state = 'stopping' AND v.state = 'stopped' AND s.state_reason IS NOT NULL"
                        + " THEN s.state_reason WHEN v.state <> s.state THEN v.reason ELSE s.state_reason END,"
                        + " updated_at = CASE WHEN v.state <> s.state THEN $6 ELSE s.updated_at END,"
                        + " ended_at = CASE WHEN v.state IN ('stopped', 'failed') AND s.ended_at IS NULL THEN $6 ELSE s.ended_at END,"
                        + " version = s.version + CASE WHEN v.state <> s.state THEN 1 ELSE 0 END"
                        + " FROM unnest($1::uuid[], $2::bigint[], $3::bigint[], $4::text[], $5::text[], $7::bigint[])"
                        + " AS v(id, last_seq, pos, state, reason, fence)"
                        + " WHERE s.id = v.id")
                .execute(Tuple.tuple()
                        .addArrayOfUUID(ids.toArray(UUID[]::new))
                        .addArrayOfLong(lastSeqs.toArray(Long[]::new))
                        .addArrayOfLong(streamPositions.toArray(Long[]::new))
                        .addArrayOfString(states.toArray(String[]::new))
                        .addArrayOfString(reasons.toArray(String[]::new))
                        .addOffsetDateTime(now)
                        .addArrayOfLong(fences.toArray(Long[]::new)))
                .replaceWithVoid();
    }

    public Uni<Void> insert(
            SqlConnection connection, UUID id, UUID projectId, String startedBy, String policy, OffsetDateTime now) {
        return connection
                .preparedQuery("INSERT INTO " + table + " (id, project_id, state, started_by, approval_policy,"
                        + " created_at, updated_at) VALUES ($1, $2, 'requested', $3, $4, $5, $5)")
                .execute(Tuple.of(id, projectId, startedBy, policy, now))
                .replaceWithVoid();
    }

    /** Sets the state (and the turn's operator when given); bumps the version. */
    public Uni<Void> setState(
            SqlConnection connection,
            UUID id,
            SessionState state,
            String reason,
            String turnOperator,
            OffsetDateTime now) {
        return connection
                .preparedQuery("UPDATE " + table + " SET state = $2, state_reason = $3,"
                        + " turn_operator = coalesce($4, turn_operator), updated_at = $5,"
                        + " ended_at = CASE WHEN $2 IN ('stopped', 'failed') THEN $5 ELSE ended_at END,"
                        + " version = version + 1 WHERE id = $1")
                .execute(Tuple.from(new Object[] {id, state.wire(), reason, turnOperator, now}))
                .replaceWithVoid();
    }

    /** The operator whose message starts the next turn (a benign-request policy approves for them). */
    public Uni<Void> setTurnOperator(SqlConnection connection, UUID id, String operator) {
        return connection
                .preparedQuery("UPDATE " + table + " SET turn_operator = $2 WHERE id = $1")
                .execute(Tuple.of(id, operator))
                .replaceWithVoid();
    }

    public Uni<SessionView> get(UUID id) {
        return find(id).map(found -> found.orElseThrow(() -> new ResourceNotFoundException("session", id)));
    }

    public Uni<Optional<SessionView>> find(UUID id) {
        return pool.preparedQuery(
                        "SELECT " + SessionView.COLUMNS + " FROM " + table + " WHERE id = $1 AND kind = 'project'")
                .execute(Tuple.of(id))
                .map(rows -> rows.size() == 0
                        ? Optional.empty()
                        : Optional.of(SessionView.of(rows.iterator().next())));
    }

    /** The project's non-final session, if any. */
    public Uni<Optional<SessionView>> live(UUID projectId) {
        return pool.preparedQuery("SELECT " + SessionView.COLUMNS + " FROM " + table
                        + " WHERE project_id = $1 AND state NOT IN ('stopped', 'failed')")
                .execute(Tuple.of(projectId))
                .map(rows -> rows.size() == 0
                        ? Optional.empty()
                        : Optional.of(SessionView.of(rows.iterator().next())));
    }

    /** Newest first, optionally one project's, before a creation time (cursor). */
    /**
     * A project's (or every project's) history, newest first: {@code query} (when given) matches,
     * case-insensitively, the reason a session ended, who started it, or any text of its transcript's
     * operator messages and completed items (agent messages, commands and their output); {@code state}
     * narrows to sessions in that state.
     */
    public Uni<List<SessionSummary>> history(
            UUID projectId, OffsetDateTime before, String query, SessionState state, int limit) {
        String events = table + "_event";
        String pattern = query == null ? null : "%" + likeEscaped(query) + "%";
        return pool.preparedQuery("SELECT " + SessionView.COLUMNS
                        + ", (SELECT e.body FROM " + events
                        + " e WHERE e.session_id = s.id AND e.kind = 'operator_message'"
                        + " ORDER BY e.seq LIMIT 1) AS first_message"
                        + ", (SELECT e.body FROM " + events + " e WHERE e.session_id = s.id AND e.kind = 'worker_state'"
                        + " AND e.body LIKE '%\"target_name\":\"%' ORDER BY e.seq DESC LIMIT 1) AS worker"
                        // what needs attention in a live session: its worker was lost (or failed), or the newest
                        // runner record says a command has gone quiet (nothing arrived since)
                        + ", CASE WHEN s.state IN ('stopped', 'failed') THEN NULL"
                        // the runner driving it stopped answering (session-service's own note; until it is back)
                        + " WHEN (SELECT n.body FROM " + events
                        + " n WHERE n.session_id = s.id AND n.kind = 'system_note'"
                        + " AND (n.body LIKE '%\"code\":\"runner_lost\"%' OR n.body LIKE '%\"code\":\"runner_back\"%')"
                        + " ORDER BY n.seq DESC LIMIT 1) LIKE '%\"code\":\"runner_lost\"%' THEN 'runner_lost'"
                        + " ELSE (SELECT CASE"
                        + " WHEN w.body LIKE '%\"state\":\"lost\"%' OR w.body LIKE '%\"state\":\"failed\"%'"
                        + " THEN 'worker_lost' WHEN w.body LIKE '%\"state\":\"command_stuck\"%' AND NOT EXISTS (SELECT 1 FROM "
                        + events + " x WHERE x.session_id = s.id AND x.seq > w.seq AND x.stream_seq IS NOT NULL)"
                        + " THEN 'command_stuck' END FROM " + events
                        + " w WHERE w.session_id = s.id AND w.kind = 'worker_state' ORDER BY w.seq DESC LIMIT 1) END"
                        + " AS attention"
                        + ", (SELECT sum(t.total_tokens) FROM " + table + "_tokens t WHERE t.session_id = s.id)::bigint"
                        + " AS total_tokens FROM " + table + " s"
                        + " WHERE kind = 'project' AND ($1::uuid IS NULL OR project_id = $1)"
                        + " AND ($2::timestamptz IS NULL OR created_at < $2) AND ($4::text IS NULL OR state = $4)"
                        + " AND ($5::text IS NULL OR state_reason ILIKE $5 OR started_by ILIKE $5 OR EXISTS (SELECT 1 FROM "
                        + events + " e WHERE e.session_id = s.id AND e.kind IN ('operator_message', 'item_completed')"
                        + " AND (SELECT j ->> 'text' ILIKE $5 OR j ->> 'command' ILIKE $5 OR j ->> 'output' ILIKE $5 FROM "
                        + schema + ".session_event_json(e.body) j)))"
                        + " ORDER BY created_at DESC LIMIT $3")
                .execute(Tuple.tuple(java.util.Arrays.asList(
                        projectId, before, limit, state == null ? null : state.wire(), pattern)))
                .map(rows -> {
                    List<SessionSummary> out = new ArrayList<>();
                    rows.forEach(r -> out.add(SessionSummary.of(r)));
                    return out;
                });
    }

    /** The text as a LIKE pattern matching itself (the default escape character is the backslash). */
    static String likeEscaped(String text) {
        return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    }

    public Uni<List<SessionView>> list(UUID projectId, OffsetDateTime before, int limit) {
        return pool.preparedQuery("SELECT " + SessionView.COLUMNS + " FROM " + table
                        + " WHERE kind = 'project' AND ($1::uuid IS NULL OR project_id = $1) AND ($2::timestamptz IS NULL OR created_at < $2)"
                        + " ORDER BY created_at DESC LIMIT $3")
                .execute(Tuple.of(projectId, before, limit))
                .map(rows -> {
                    List<SessionView> out = new ArrayList<>();
                    rows.forEach(r -> out.add(SessionView.of(r)));
                    return out;
                });
    }
}
