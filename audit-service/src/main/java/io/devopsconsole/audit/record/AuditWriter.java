package io.devopsconsole.audit.record;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Extends the hash chain. Every write takes the chain lock (a transaction-scoped advisory lock),
 * so writers on any replica append one after another: seq order is commit order and each record
 * links to the one committed before it. A batch is one transaction and one INSERT (arrays,
 * unnested), written through the reactive client directly: ingest is the service's hot path and
 * an audit record is never updated, so an ORM's change tracking buys nothing here.
 */
@ApplicationScoped
public class AuditWriter {

    private static final Pattern SCHEMA = Pattern.compile("[a-z][a-z0-9_]{0,62}");
    static final String CHAIN_LOCK = "SELECT pg_advisory_xact_lock(hashtext('audit_chain'))";

    private final Pool pool;
    private final String headSql;
    private final String existingSql;
    private final String insertSql;

    public AuditWriter(Pool pool, @ConfigProperty(name = "devops.schema") String schema) {
        if (!SCHEMA.matcher(schema).matches()) {
            throw new IllegalArgumentException("devops.schema must be a plain lower-case identifier");
        }
        this.pool = pool;
        this.headSql = "SELECT coalesce((SELECT hash FROM " + schema
                + ".audit_record WHERE hash IS NOT NULL ORDER BY seq DESC LIMIT 1)," + " (SELECT anchor_hash FROM "
                + schema + ".audit_chain_anchor ORDER BY seq DESC LIMIT 1)) AS head";
        this.existingSql = "SELECT event_id FROM " + schema + ".audit_record WHERE event_id = ANY($1)";
        this.insertSql =
                "INSERT INTO " + schema + ".audit_record (id, event_id, event_time, recorded_at, source, type, actor,"
                        + " action, resource_type, resource_id, resource_name, session_id, risk, summary, details, topic,"
                        + " kafka_partition, kafka_offset, redacted, prev_hash, hash, hash_version, reported)"
                        + " SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::timestamptz[], $4::timestamptz[], $5::text[],"
                        + " $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[],"
                        + " $14::text[], $15::text[], $16::text[], $17::int[], $18::bigint[], $19::boolean[], $20::text[], $21::text[],"
                        + " $22::smallint[], $23::text[])"
                        + " RETURNING id, seq";
    }

    /**
     * Stores each candidate whose event is not recorded yet (redeliveries, also within the list,
     * write nothing), in one transaction; returns the stored records, chained and with their seq.
     */
    public Uni<List<AuditRecord>> append(List<AuditRecord> candidates) {
        if (candidates.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        return inChain((connection, head) -> append(connection, head, candidates));
    }

    /** The chain's current head inside a transaction that holds the chain lock. */
    public interface ChainWork<T> {
        Uni<T> apply(SqlConnection connection, String head);
    }

    /** Runs {@code work} in one transaction holding the chain lock, given the current head hash. */
    public <T> Uni<T> inChain(ChainWork<T> work) {
        return pool.withTransaction(connection -> connection
                .query(CHAIN_LOCK)
                .execute()
                // a new statement after the lock: its snapshot sees every chain write committed before
                .flatMap(locked -> head(connection))
                .flatMap(head -> work.apply(connection, head)));
    }

    /** The hash the next record links to: the newest record's, else the newest anchor's, else genesis. */
    Uni<String> head(SqlConnection connection) {
        return connection.query(headSql).execute().map(rows -> {
            String head = rows.iterator().next().getString("head");
            return head == null ? AuditChain.GENESIS : head;
        });
    }

    /** Inside {@link #inChain}: appends the candidates not recorded yet after {@code head}. */
    Uni<List<AuditRecord>> append(SqlConnection connection, String head, List<AuditRecord> candidates) {
        UUID[] eventIds = candidates.stream().map(AuditRecord::eventId).toArray(UUID[]::new);
        return connection.preparedQuery(existingSql).execute(Tuple.of(eventIds)).flatMap(existing -> {
            Set<UUID> seen = new HashSet<>();
            existing.forEach(row -> seen.add(row.getUUID(0)));
            List<AuditRecord> fresh = new ArrayList<>(candidates.size());
            for (AuditRecord candidate : candidates) {
                if (seen.add(candidate.eventId())) {
                    fresh.add(candidate);
                }
            }
            if (fresh.isEmpty()) {
                return Uni.createFrom().item(List.<AuditRecord>of());
            }
            String prev = head;
            for (AuditRecord row : fresh) {
                row.chain(prev);
                prev = row.hash();
            }
            return connection.preparedQuery(insertSql).execute(columns(fresh)).map(inserted -> {
                Map<UUID, AuditRecord> byId = new HashMap<>();
                fresh.forEach(r -> byId.put(r.id(), r));
                for (Row row : inserted) {
                    byId.get(row.getUUID("id")).stored(row.getLong("seq"));
                }
                return fresh;
            });
        });
    }

    private static Tuple columns(List<AuditRecord> rows) {
        int n = rows.size();
        UUID[] id = new UUID[n];
        UUID[] eventId = new UUID[n];
        OffsetDateTime[] eventTime = new OffsetDateTime[n];
        OffsetDateTime[] recordedAt = new OffsetDateTime[n];
        String[][] text = new String[15][n];
        Short[] version = new Short[n];
        Integer[] partition = new Integer[n];
        Long[] offset = new Long[n];
        Boolean[] redacted = new Boolean[n];
        for (int i = 0; i < n; i++) {
            AuditRecord r = rows.get(i);
            id[i] = r.id();
            eventId[i] = r.eventId();
            eventTime[i] = r.eventTime();
            recordedAt[i] = r.recordedAt();
            String[] values = {
                r.source(),
                r.type(),
                r.actor(),
                r.action(),
                r.resourceType(),
                r.resourceId(),
                r.resourceName(),
                r.sessionId(),
                r.risk(),
                r.summary(),
                r.details(),
                r.topic(),
                null,
                null
            };
            for (int t = 0; t < 12; t++) {
                text[t][i] = values[t];
            }
            text[12][i] = r.prevHash();
            text[13][i] = r.hash();
            text[14][i] = r.reported();
            version[i] = r.hashVersion();
            partition[i] = r.kafkaPartition();
            offset[i] = r.kafkaOffset();
            redacted[i] = r.redacted();
        }
        Tuple tuple = Tuple.tuple()
                .addArrayOfUUID(id)
                .addArrayOfUUID(eventId)
                .addArrayOfOffsetDateTime(eventTime)
                .addArrayOfOffsetDateTime(recordedAt);
        for (int t = 0; t < 12; t++) {
            tuple.addArrayOfString(text[t]);
        }
        return tuple.addArrayOfInteger(partition)
                .addArrayOfLong(offset)
                .addArrayOfBoolean(redacted)
                .addArrayOfString(text[12])
                .addArrayOfString(text[13])
                .addArrayOfShort(version)
                .addArrayOfString(text[14]);
    }

    /** Maps a function over the rows of a result (for callers reading through {@link #inChain}). */
    static <T> List<T> list(io.vertx.mutiny.sqlclient.RowSet<Row> rows, Function<Row, T> mapper) {
        List<T> out = new ArrayList<>(rows.size());
        rows.forEach(row -> out.add(mapper.apply(row)));
        return out;
    }
}
