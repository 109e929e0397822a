package io.devopsconsole.session.notify;

import io.devopsconsole.events.session.ApprovalRequested;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** The notification rows: recorded once per approval and channel, claimed by one replica at a time. */
@ApplicationScoped
public class NotificationStore {

    /** A notification due to be sent, as claimed (its attempt number counts this one). */
    public record Due(
            UUID approvalId,
            String channel,
            UUID sessionId,
            UUID projectId,
            String projectName,
            String summary,
            String risk,
            OffsetDateTime requestedAt,
            int attempts,
            UUID txnId) {}

    /** How long a claim holds before another replica may send the notification again. */
    static final Duration CLAIM = Duration.ofSeconds(30);

    private final Pool pool;
    private final String table;
    private final String schema;
    private final NotifyConfig config;

    public NotificationStore(Pool pool, @ConfigProperty(name = "devops.schema") String schema, NotifyConfig config) {
        this.pool = pool;
        this.schema = schema;
        this.table = schema + ".notification";
        this.config = config;
    }

    /** One row per channel for the approval (nothing when they exist: a redelivered event adds nothing). */
    public Uni<Void> record(ApprovalRequested e, List<String> channels) {
        return pool.preparedQuery("INSERT INTO " + table
                        + " (approval_id, channel, session_id, project_id, project_name,"
                        + " summary, risk, requested_at, state, next_attempt_at, txn_id)"
                        + " SELECT $1, c, s.id, s.project_id, p.name, $3, $4, now(), 'pending', now() + $5::bigint * interval '1 millisecond',"
                        + " gen_random_uuid() FROM unnest($2::text[]) c JOIN " + schema + ".session s ON s.id = $6"
                        + " JOIN " + schema + ".approval a ON a.id = $1"
                        + " LEFT JOIN " + schema + ".project_view p ON p.id = s.project_id"
                        + " ON CONFLICT (approval_id, channel) DO NOTHING")
                .execute(Tuple.from(new Object[] {
                    e.approvalId(),
                    channels.toArray(String[]::new),
                    e.summary() == null ? "" : e.summary(),
                    e.risk() == null ? "unknown" : e.risk(),
                    config.debounce().toMillis(),
                    e.sessionId()
                }))
                .replaceWithVoid();
    }

    /**
     * Marks notifications of approvals no longer pending as skipped (decided within the debounce, or
     * before a retry), then claims up to {@code limit} due ones for this replica.
     */
    public Uni<List<Due>> claimDue(int limit) {
        return pool.preparedQuery("UPDATE " + table + " n SET state = 'skipped' FROM " + schema + ".approval a"
                        + " WHERE a.id = n.approval_id AND a.state <> 'pending' AND n.state IN ('pending', 'sending')")
                .execute()
                .flatMap(skipped -> pool.preparedQuery("WITH due AS (SELECT approval_id, channel FROM " + table
                                + " WHERE (state = 'pending' AND next_attempt_at <= now())"
                                + " OR (state = 'sending' AND claimed_until < now())"
                                + " ORDER BY requested_at LIMIT $1 FOR UPDATE SKIP LOCKED)"
                                + " UPDATE " + table + " n SET state = 'sending', attempts = n.attempts + 1,"
                                + " claimed_until = now() + $2::bigint * interval '1 second' FROM due"
                                + " WHERE n.approval_id = due.approval_id AND n.channel = due.channel"
                                + " RETURNING n.approval_id, n.channel, n.session_id, n.project_id, n.project_name,"
                                + " n.summary, n.risk, n.requested_at, n.attempts, n.txn_id")
                        .execute(Tuple.of(limit, CLAIM.toSeconds())))
                .map(rows -> {
                    List<Due> out = new ArrayList<>();
                    for (Row r : rows) {
                        out.add(new Due(
                                r.getUUID("approval_id"),
                                r.getString("channel"),
                                r.getUUID("session_id"),
                                r.getUUID("project_id"),
                                r.getString("project_name"),
                                r.getString("summary"),
                                r.getString("risk"),
                                r.getOffsetDateTime("requested_at"),
                                r.getInteger("attempts"),
                                r.getUUID("txn_id")));
                    }
                    return out;
                });
    }

    public Uni<Void> sent(Due d) {
        return pool.preparedQuery("UPDATE " + table + " SET state = 'sent', sent_at = now(), claimed_until = NULL,"
                        + " last_error = NULL WHERE approval_id = $1 AND channel = $2")
                .execute(Tuple.of(d.approvalId(), d.channel()))
                .replaceWithVoid();
    }

    /** A failed attempt: tried again after a doubling wait, or given up after the last attempt. */
    public Uni<Void> failed(Due d, String why) {
        boolean last = d.attempts() >= config.maxAttempts();
        long waitMillis = Math.min(
                Duration.ofMinutes(5).toMillis(),
                config.retryWait().toMillis() << Math.min(Math.max(d.attempts() - 1, 0), 16));
        return pool.preparedQuery(
                        "UPDATE " + table + " SET state = $3, last_error = $4, claimed_until = NULL,"
                                + " next_attempt_at = now() + $5::bigint * interval '1 millisecond' WHERE approval_id = $1 AND channel = $2")
                .execute(Tuple.from(
                        new Object[] {d.approvalId(), d.channel(), last ? "failed" : "pending", why, waitMillis}))
                .replaceWithVoid();
    }
}
