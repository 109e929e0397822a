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

    public SessionStore(Pool pool, @ConfigProperty(name = "devops.schema") String schema) {
        this.pool = pool;
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
                        + " state = v.state, state_reason = CASE WHEN v.state <> s.state THEN v.reason ELSE s.state_reason END,"
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
