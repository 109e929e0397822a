package io.devopsconsole.session.transcript;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Appends to and reads session transcripts. Positions are allocated by the storing transaction
 * from the session row ({@code last_seq}, row-locked), so a session's seqs are 1, 2, 3, ...
 * without gaps in commit order, whichever replica stores.
 */
@ApplicationScoped
public class Transcript {

    private final Pool pool;
    private final String schema;

    public Transcript(Pool pool, @ConfigProperty(name = "devops.schema") String schema) {
        this.pool = pool;
        this.schema = schema;
    }

    /** Whether an event with this id is in some transcript already. */
    public Uni<Boolean> has(SqlConnection connection, UUID id) {
        return connection
                .preparedQuery("SELECT 1 FROM " + schema + ".session_event WHERE id = $1")
                .execute(io.vertx.mutiny.sqlclient.Tuple.of(id))
                .map(rows -> rows.size() > 0);
    }

    /**
     * Inside the caller's transaction: allocates the next positions from the session row (which
     * stays locked until the transaction ends) and appends the entries there; returns the new last seq.
     */
    public Uni<Long> append(SqlConnection connection, UUID sessionId, List<NewEntry> entries) {
        if (entries.isEmpty()) {
            return Uni.createFrom().item(0L);
        }
        int n = entries.size();
        return connection
                .preparedQuery("UPDATE " + schema + ".session SET last_seq = last_seq + $2 WHERE id = $1"
                        + " RETURNING last_seq")
                .execute(Tuple.of(sessionId, n))
                .flatMap(rows -> {
                    long newLast = rows.iterator().next().getLong(0);
                    List<Placed> placed = new ArrayList<>(n);
                    for (int i = 0; i < n; i++) {
                        placed.add(new Placed(sessionId, newLast - n + i + 1, entries.get(i)));
                    }
                    return insertAll(connection, placed).replaceWith(newLast);
                });
    }

    /** An entry with its session and position already decided (the caller holds the sessions' locks). */
    public record Placed(UUID sessionId, long seq, NewEntry entry) {}

    /** Inserts entries of many sessions in one statement; the caller advances the sessions' last_seq. */
    public Uni<Void> insertAll(SqlConnection connection, List<Placed> placed) {
        return connection
                .preparedQuery("INSERT INTO " + schema + ".session_event " + INSERTED_COLUMNS + " SELECT * FROM "
                        + PLACED_ROWS)
                .execute(placedRows(placed))
                .replaceWithVoid();
    }

    /** The columns an insert of {@link #PLACED_ROWS} fills, in its order. */
    public static final String INSERTED_COLUMNS =
            "(session_id, seq, id, kind, actor, turn_id, item_id, target_id, stream_seq, body, created_at)";

    /**
     * Placed entries as rows ({@code e}, with the columns of {@link #INSERTED_COLUMNS}), from the
     * parameters $1 to $11 that {@link #placedRows} fills.
     */
    public static final String PLACED_ROWS = "unnest($1::uuid[], $2::bigint[], $3::uuid[], $4::text[], $5::text[],"
            + " $6::text[], $7::text[], $8::uuid[], $9::bigint[], $10::text[], $11::timestamptz[]) AS e"
            + INSERTED_COLUMNS;

    /** The parameters $1 to $11 of {@link #PLACED_ROWS}; a statement may add its own after them. */
    public static Tuple placedRows(List<Placed> placed) {
        int n = placed.size();
        UUID[] sessions = new UUID[n];
        Long[] seqs = new Long[n];
        UUID[] ids = new UUID[n];
        String[] kinds = new String[n];
        String[] actors = new String[n];
        String[] turns = new String[n];
        String[] items = new String[n];
        UUID[] targets = new UUID[n];
        Long[] streamSeqs = new Long[n];
        String[] bodies = new String[n];
        OffsetDateTime[] times = new OffsetDateTime[n];
        for (int i = 0; i < n; i++) {
            Placed p = placed.get(i);
            NewEntry e = p.entry();
            sessions[i] = p.sessionId();
            seqs[i] = p.seq();
            ids[i] = e.id();
            kinds[i] = e.kind();
            actors[i] = e.actor();
            turns[i] = e.turnId();
            items[i] = e.itemId();
            targets[i] = e.targetId();
            streamSeqs[i] = e.streamSeq();
            bodies[i] = e.body();
            times[i] = e.at();
        }
        return Tuple.tuple()
                .addArrayOfUUID(sessions)
                .addArrayOfLong(seqs)
                .addArrayOfUUID(ids)
                .addArrayOfString(kinds)
                .addArrayOfString(actors)
                .addArrayOfString(turns)
                .addArrayOfString(items)
                .addArrayOfUUID(targets)
                .addArrayOfLong(streamSeqs)
                .addArrayOfString(bodies)
                .addArrayOfOffsetDateTime(times);
    }

    /** Events with seq in (after, upTo], oldest first, at most {@code limit}. */
    public Uni<List<TranscriptEntry>> read(UUID sessionId, long after, long upTo, int limit) {
        return pool.preparedQuery("SELECT " + TranscriptEntry.COLUMNS + " FROM " + schema + ".session_event"
                        + " WHERE session_id = $1 AND seq > $2 AND seq <= $3 ORDER BY seq LIMIT $4")
                .execute(Tuple.of(sessionId, after, upTo, limit))
                .map(rows -> {
                    List<TranscriptEntry> out = new ArrayList<>(rows.size());
                    rows.forEach(r -> out.add(TranscriptEntry.of(r)));
                    return out;
                });
    }
}
