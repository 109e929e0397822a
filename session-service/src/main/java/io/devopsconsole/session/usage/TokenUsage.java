package io.devopsconsole.session.usage;

import com.fasterxml.jackson.databind.JsonNode;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Token usage summed from the runner's {@code token_usage} records. Each record carries its
 * worker thread's running totals, so per thread the newest (largest) totals are kept, never added
 * twice however often a record is re-sent; a session's usage is the sum over its threads (one per
 * target it ran on) and a project's the sum over its sessions.
 */
@ApplicationScoped
public class TokenUsage {

    /** Token counts (also the JSON answer of the usage endpoints). */
    public record Usage(long inputTokens, long cachedInputTokens, long outputTokens, long totalTokens, long threads) {}

    private final Pool pool;
    private final String table;
    private final String sessions;

    public TokenUsage(Pool pool, @ConfigProperty(name = "devops.schema") String schema) {
        this.pool = pool;
        this.table = schema + ".session_tokens";
        this.sessions = schema + ".session";
    }

    /** Records a thread's running totals (inside the caller's transaction, which holds the session lock). */
    public Uni<Void> record(SqlConnection c, UUID sessionId, UUID targetId, JsonNode payload) {
        String thread = payload.path("thread_id").asText(null);
        String key = thread != null ? thread : targetId != null ? targetId.toString() : "thread";
        return c.preparedQuery("INSERT INTO " + table + " (session_id, thread_key, input_tokens, cached_input_tokens,"
                        + " output_tokens, total_tokens, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7)"
                        + " ON CONFLICT (session_id, thread_key) DO UPDATE SET"
                        + " input_tokens = greatest(" + table + ".input_tokens, excluded.input_tokens),"
                        + " cached_input_tokens = greatest(" + table
                        + ".cached_input_tokens, excluded.cached_input_tokens),"
                        + " output_tokens = greatest(" + table + ".output_tokens, excluded.output_tokens),"
                        + " total_tokens = greatest(" + table + ".total_tokens, excluded.total_tokens),"
                        + " updated_at = excluded.updated_at")
                .execute(Tuple.from(new Object[] {
                    sessionId,
                    key,
                    count(payload, "input_tokens"),
                    count(payload, "cached_input_tokens"),
                    count(payload, "output_tokens"),
                    count(payload, "total_tokens"),
                    OffsetDateTime.now(ZoneOffset.UTC)
                }))
                .replaceWithVoid();
    }

    public Uni<Usage> ofSession(UUID sessionId) {
        return sum(" WHERE t.session_id = $1", sessionId);
    }

    public Uni<Usage> ofProject(UUID projectId) {
        return sum(" JOIN " + sessions + " s ON s.id = t.session_id WHERE s.project_id = $1", projectId);
    }

    private Uni<Usage> sum(String where, UUID id) {
        return pool.preparedQuery(
                        "SELECT coalesce(sum(t.input_tokens), 0) AS i, coalesce(sum(t.cached_input_tokens), 0) AS c,"
                                + " coalesce(sum(t.output_tokens), 0) AS o, coalesce(sum(t.total_tokens), 0) AS t, count(*) AS n FROM "
                                + table + " t" + where)
                .execute(Tuple.of(id))
                .map(rows -> {
                    Row r = rows.iterator().next();
                    return new Usage(r.getLong("i"), r.getLong("c"), r.getLong("o"), r.getLong("t"), r.getLong("n"));
                });
    }

    private static long count(JsonNode payload, String field) {
        long v = payload.path(field).asLong(0);
        return Math.max(0, v);
    }
}
