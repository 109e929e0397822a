package io.devopsconsole.audit.record;

import io.devopsconsole.events.EventJson;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The retention policy: records older than {@code devops.audit.retention.max-age} are pruned, the
 * oldest first, as a prefix of the chain, by the database function {@code audit_prune} (the only
 * path that may delete them; it refuses cutoffs younger than the floor the schema owner set).
 * Each pruning step, in one transaction under the chain lock, keeps an anchor (the hash of the
 * last pruned record, which the first kept record links to) and appends a record saying what was
 * pruned and which anchor was kept. Unset max-age keeps everything.
 */
@ApplicationScoped
public class RetentionService {

    private static final Logger LOG = Logger.getLogger(RetentionService.class);
    public static final String TYPE = "io.devopsconsole.audit.retention.pruned.v1";
    public static final String SYSTEM_ACTOR = "system:audit-retention";

    private final AuditWriter writer;
    private final Pool pool;
    private final Vertx vertx;
    private final String schema;
    private final Optional<Duration> maxAge;
    private final Duration every;
    private final int batch;
    private volatile long timer = -1;

    public RetentionService(
            AuditWriter writer,
            Pool pool,
            Vertx vertx,
            AuditConfig config,
            @ConfigProperty(name = "devops.schema") String schema) {
        Optional<Duration> maxAge = config.retention().maxAge();
        Duration every = config.retention().every();
        int batch = config.retention().batch();
        if (maxAge.isPresent() && (maxAge.get().isNegative() || maxAge.get().isZero())) {
            throw new IllegalArgumentException("devops.audit.retention.max-age must be positive");
        }
        if (maxAge.isPresent() && maxAge.get().compareTo(config.retention().floor()) < 0) {
            throw new IllegalArgumentException("devops.audit.retention.max-age (" + maxAge.get()
                    + ") is below the retention floor (" + config.retention().floor() + ")");
        }
        if (batch < 1 || every.isNegative() || every.isZero()) {
            throw new IllegalArgumentException("devops.audit.retention.batch and .every must be positive");
        }
        this.writer = writer;
        this.pool = pool;
        this.vertx = vertx;
        this.schema = schema;
        this.maxAge = maxAge;
        this.every = every;
        this.batch = batch;
    }

    /** What one run pruned: nothing ({@code steps} empty) or one step per batch; ages as ISO-8601 durations. */
    public record Run(String maxAge, OffsetDateTime cutoff, long prunedRecords, List<Step> steps) {}

    /** One pruning step, as the appended record describes it. */
    public record Step(
            long prunedCount,
            long firstSeq,
            long lastSeq,
            String anchorHash,
            OffsetDateTime oldestRecordedAt,
            OffsetDateTime newestRecordedAt,
            UUID recordId) {}

    /** The configured policy and the anchors kept so far (newest first). */
    public record Policy(String maxAge, String every, List<Anchor> anchors) {}

    public record Anchor(
            long prunedThroughSeq,
            String anchorHash,
            long prunedCount,
            OffsetDateTime cutoff,
            OffsetDateTime prunedAt) {}

    public Optional<Duration> maxAge() {
        return maxAge;
    }

    void start(@Observes StartupEvent event) {
        if (maxAge.isEmpty()) {
            LOG.info("audit retention: no max-age configured; every record is kept");
            return;
        }
        LOG.infof("audit retention: records older than %s are pruned, checked every %s", maxAge.get(), every);
        timer = vertx.setPeriodic(
                every.toMillis(),
                id -> run(SYSTEM_ACTOR)
                        .subscribe()
                        .with(
                                r -> {
                                    if (r.prunedRecords() > 0) {
                                        LOG.infof(
                                                "audit retention pruned %d records recorded before %s",
                                                r.prunedRecords(), r.cutoff());
                                    }
                                },
                                f -> LOG.warnf(
                                        "audit retention run failed (%s); retried at the next interval",
                                        f.toString())));
    }

    void stop(@Observes ShutdownEvent event) {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
    }

    /** Applies the policy now: prunes in steps of at most {@code batch} records until nothing is older than max-age. */
    public Uni<Run> run(String actor) {
        Duration age = maxAge.orElseThrow(() -> new IllegalStateException("no retention max-age configured"));
        OffsetDateTime cutoff = now().minus(age);
        List<Step> steps = new java.util.ArrayList<>();
        return io.smallrye.mutiny.Multi.createBy()
                .repeating()
                .uni(() -> step(cutoff, age, actor).invoke(s -> s.ifPresent(steps::add)))
                .whilst(s -> s.isPresent() && s.get().prunedCount() >= batch)
                .collect()
                .last()
                .map(last -> new Run(
                        age.toString(),
                        cutoff,
                        steps.stream().mapToLong(Step::prunedCount).sum(),
                        List.copyOf(steps)));
    }

    private Uni<Optional<Step>> step(OffsetDateTime cutoff, Duration age, String actor) {
        return writer.inChain((connection, head) -> connection
                .preparedQuery("SELECT * FROM " + schema + ".audit_prune($1, $2)")
                .execute(Tuple.of(cutoff, batch))
                .flatMap(rows -> {
                    if (rows.size() == 0) {
                        return Uni.createFrom().item(Optional.<Step>empty());
                    }
                    Row row = rows.iterator().next();
                    AuditRecord record = describe(row, cutoff, age, actor);
                    return writer.append(connection, head, List.of(record))
                            .map(stored -> Optional.of(new Step(
                                    row.getLong("pruned_count"),
                                    row.getLong("first_seq"),
                                    row.getLong("last_seq"),
                                    row.getString("anchor_hash"),
                                    row.getOffsetDateTime("oldest_recorded_at"),
                                    row.getOffsetDateTime("newest_recorded_at"),
                                    record.id())));
                }));
    }

    private static AuditRecord describe(Row row, OffsetDateTime cutoff, Duration age, String actor) {
        long count = row.getLong("pruned_count");
        String anchor = row.getString("anchor_hash");
        var details = EventJson.mapper()
                .createObjectNode()
                .put("max_age", age.toString())
                .put("cutoff", cutoff.toString())
                .put("pruned_count", count)
                .put("first_seq", row.getLong("first_seq"))
                .put("last_seq", row.getLong("last_seq"))
                .put(
                        "oldest_recorded_at",
                        row.getOffsetDateTime("oldest_recorded_at").toString())
                .put(
                        "newest_recorded_at",
                        row.getOffsetDateTime("newest_recorded_at").toString())
                .put("anchor_hash", anchor);
        String summary = String.format(
                "%s pruned %d audit record%s recorded before %s (seq %d to %d, retention %s);"
                        + " the chain continues from anchor %s",
                actor,
                count,
                count == 1 ? "" : "s",
                cutoff,
                row.getLong("first_seq"),
                row.getLong("last_seq"),
                age,
                anchor.substring(0, 16));
        OffsetDateTime now = now();
        return new AuditRecord(
                UUID.randomUUID(),
                now,
                now,
                "/audit-service",
                TYPE,
                actor,
                Summaries.action(TYPE),
                "audit_log",
                "audit_record",
                null,
                null,
                io.devopsconsole.events.Risk.DESTRUCTIVE.wire(),
                summary,
                details.toString(),
                false,
                "retention",
                null,
                null);
    }

    /** The policy and the anchors kept so far, newest first. */
    public Uni<Policy> policy() {
        return pool.query("SELECT pruned_through_seq, anchor_hash, pruned_count, cutoff, pruned_at FROM " + schema
                        + ".audit_chain_anchor ORDER BY seq DESC LIMIT 100")
                .execute()
                .map(rows -> new Policy(
                        maxAge.map(Duration::toString).orElse(null),
                        maxAge.isPresent() ? every.toString() : null,
                        AuditWriter.list(
                                rows,
                                r -> new Anchor(
                                        r.getLong("pruned_through_seq"),
                                        r.getString("anchor_hash"),
                                        r.getLong("pruned_count"),
                                        r.getOffsetDateTime("cutoff"),
                                        r.getOffsetDateTime("pruned_at")))));
    }

    private static OffsetDateTime now() {
        return OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MICROS);
    }
}
