package io.devopsconsole.agent.worker;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * What a session's owner has done, kept so that the next owner does not do it again: commands
 * carried out (by CloudEvent id; a rebalance redelivers what the previous owner had not committed)
 * and the operator's approval decisions (an app-server re-sends a pending approval after a
 * reattach; it is answered from the recorded decision). Called on the session's driver thread.
 */
@ApplicationScoped
public class CommandLog {

    /** A recorded decision and whether the app-server has been given it. */
    public record Decision(String decision, String decidedBy, boolean answered) {}

    private final Pool pool;
    private final String done;
    private final String decisions;
    private final String markDone;

    public CommandLog(Pool pool, @ConfigProperty(name = "devops.schema") String schema) {
        this.pool = pool;
        this.done = schema + ".command_done";
        this.decisions = schema + ".approval_decision";
        this.markDone = "INSERT INTO " + done + " (event_id, session_id) VALUES ($1, $2) ON CONFLICT DO NOTHING";
    }

    public boolean isDone(UUID eventId) {
        return eventId != null
                && pool.preparedQuery("SELECT 1 FROM " + done + " WHERE event_id = $1")
                                .execute(Tuple.of(eventId))
                                .await()
                                .indefinitely()
                                .size()
                        > 0;
    }

    public void markDone(UUID eventId, UUID sessionId) {
        if (eventId == null) {
            return;
        }
        pool.preparedQuery(markDone)
                .execute(Tuple.of(eventId, sessionId))
                .await()
                .indefinitely();
    }

    /** The same, inside the caller's transaction. */
    public Uni<Void> markDoneIn(SqlConnection c, UUID eventId, UUID sessionId) {
        return eventId == null
                ? Uni.createFrom().voidItem()
                : c.preparedQuery(markDone)
                        .execute(Tuple.of(eventId, sessionId))
                        .replaceWithVoid();
    }

    /** Records a decision (the first one for a request wins). */
    public void decide(UUID sessionId, String requestKey, String decision, String decidedBy) {
        pool.preparedQuery("INSERT INTO " + decisions
                        + " (session_id, request_key, decision, decided_by) VALUES ($1, $2, $3, $4)"
                        + " ON CONFLICT DO NOTHING")
                .execute(Tuple.of(sessionId, requestKey, decision, decidedBy))
                .await()
                .indefinitely();
    }

    public Optional<Decision> decision(UUID sessionId, String requestKey) {
        var rows = pool.preparedQuery("SELECT decision, decided_by, answered FROM " + decisions
                        + " WHERE session_id = $1 AND request_key = $2")
                .execute(Tuple.of(sessionId, requestKey))
                .await()
                .indefinitely();
        if (rows.size() == 0) {
            return Optional.empty();
        }
        var r = rows.iterator().next();
        return Optional.of(new Decision(r.getString("decision"), r.getString("decided_by"), r.getBoolean("answered")));
    }

    public void answered(UUID sessionId, String requestKey) {
        pool.preparedQuery("UPDATE " + decisions + " SET answered = true WHERE session_id = $1 AND request_key = $2")
                .execute(Tuple.of(sessionId, requestKey))
                .await()
                .indefinitely();
    }
}
