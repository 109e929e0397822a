package io.devopsconsole.session.logs;

import io.devopsconsole.events.logs.SessionLogged;
import io.devopsconsole.platform.text.StoredText;
import io.devopsconsole.session.SessionConfig;
import io.smallrye.mutiny.Uni;
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
 * The console's own log records per session (ADR 0031): kept once per (session, instance, sequence),
 * the newest {@code devops.session.logs.keep-per-session} of each session, read newest page first.
 */
@ApplicationScoped
public class SessionLogStore {

    /** Levels from the least to the most severe, as stored. */
    public static final List<String> LEVELS = io.devopsconsole.events.logs.SessionLogged.LEVELS;

    /** One record as the API shows it. */
    public record LogRecordView(
            long id,
            OffsetDateTime at,
            String service,
            String instance,
            String level,
            String logger,
            String message,
            String thrown,
            String traceId) {

        static final String COLUMNS = "id, at, service, instance, level, logger, message, thrown, trace_id";

        static LogRecordView of(Row r) {
            return new LogRecordView(
                    r.getLong("id"),
                    r.getOffsetDateTime("at"),
                    r.getString("service"),
                    r.getString("instance"),
                    r.getString("level"),
                    r.getString("logger"),
                    r.getString("message"),
                    r.getString("thrown"),
                    r.getString("trace_id"));
        }
    }

    /** The most of a message or an exception kept (senders clip to less; this bounds any other sender). */
    static final int MAX_TEXT = 65_536;

    private final Pool pool;
    private final String table;
    private final String sessions;
    private final int keep;

    public SessionLogStore(Pool pool, SessionConfig config, @ConfigProperty(name = "devops.schema") String schema) {
        this.pool = pool;
        this.table = schema + ".session_log";
        this.sessions = schema + ".session";
        this.keep = config.logs().keepPerSession();
    }

    /**
     * Keeps the record when its session exists here (a record about a session this installation does
     * not know is dropped: true when kept or already kept, false when dropped).
     */
    public Uni<Boolean> add(SessionLogged e) {
        return pool.preparedQuery("INSERT INTO " + table
                        + " (session_id, at, service, instance, sequence, level, logger, message, thrown, trace_id)"
                        + " SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10 WHERE EXISTS (SELECT 1 FROM " + sessions
                        + " WHERE id = $1) ON CONFLICT (session_id, instance, sequence) DO NOTHING RETURNING 1")
                .execute(Tuple.from(new Object[] {
                    e.sessionId(),
                    e.at(),
                    clip(e.service(), 100),
                    clip(e.instance(), 200),
                    e.sequence(),
                    level(e.level()),
                    clip(e.logger(), 300),
                    clip(e.message() == null ? "" : e.message(), MAX_TEXT),
                    clip(e.thrown(), MAX_TEXT),
                    clip(e.traceId(), 64)
                }))
                .map(rows -> rows.rowCount() > 0);
    }

    /** Deletes all but the newest records of the session. */
    public Uni<Void> prune(UUID session) {
        return pool.preparedQuery("DELETE FROM " + table + " WHERE session_id = $1 AND id <= (SELECT id FROM " + table
                        + " WHERE session_id = $1 ORDER BY id DESC OFFSET $2 LIMIT 1)")
                .execute(Tuple.of(session, keep))
                .replaceWithVoid();
    }

    /** Up to {@code limit} records at or above {@code level}, older than {@code before} when given; newest first. */
    public Uni<List<LogRecordView>> page(UUID session, String level, Long before, int limit) {
        List<String> levels = LEVELS.subList(LEVELS.indexOf(level), LEVELS.size());
        return pool.preparedQuery("SELECT " + LogRecordView.COLUMNS + " FROM " + table
                        + " WHERE session_id = $1 AND level = ANY($2) AND ($3::bigint IS NULL OR id < $3)"
                        + " ORDER BY id DESC LIMIT $4")
                .execute(Tuple.of(session, levels.toArray(String[]::new), before, limit))
                .map(rows -> {
                    List<LogRecordView> out = new ArrayList<>();
                    rows.forEach(r -> out.add(LogRecordView.of(r)));
                    return out;
                });
    }

    /** A level as stored: the services' words (java.util.logging's names mapped), anything else INFO. */
    static String level(String level) {
        String l = io.devopsconsole.events.logs.SessionLogged.levelOf(level);
        return l == null ? "INFO" : l;
    }

    private static String clip(String s, int max) {
        return s == null ? null : StoredText.guard(StoredText.clip(s, max));
    }
}
