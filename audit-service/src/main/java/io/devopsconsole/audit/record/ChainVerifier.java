package io.devopsconsole.audit.record;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;
import java.util.UUID;

/**
 * Walks the log in {@code seq} order, a page at a time, recomputing every chained record's hash
 * and checking that it names its predecessor's; reports the first broken link.
 */
@ApplicationScoped
public class ChainVerifier {

    static final int PAGE = 1_000;

    private final AuditRecordRepository records;
    private final io.vertx.mutiny.sqlclient.Pool pool;
    private final String anchorSql;
    private final String rangeStartSql;
    private final io.micrometer.core.instrument.Counter failures;

    public ChainVerifier(AuditRecordRepository records, io.vertx.mutiny.sqlclient.Pool pool,
                         @org.eclipse.microprofile.config.inject.ConfigProperty(name = "devops.schema") String schema,
                         io.micrometer.core.instrument.MeterRegistry meters) {
        this.records = records;
        this.pool = pool;
        this.anchorSql = "SELECT pruned_through_seq, anchor_hash, pruned_count, pruned_at FROM " + schema
                + ".audit_chain_anchor ORDER BY seq DESC LIMIT 1";
        String table = schema + ".audit_record";
        this.rangeStartSql = "SELECT f.first_seq, (SELECT p.hash FROM " + table + " p WHERE p.seq < f.first_seq"
                + " ORDER BY p.seq DESC LIMIT 1) AS prev_stored_hash FROM (SELECT min(seq) AS first_seq FROM " + table
                + " WHERE recorded_at >= $1) f";
        this.failures = io.micrometer.core.instrument.Counter.builder("audit.verify.failures")
                .description("Verifications that found a broken link in the audit chain").register(meters);
    }

    /** Where and why the chain breaks. */
    public record BrokenLink(long seq, UUID eventId, String reason) {
    }

    /**
     * Where the kept chain starts after retention pruned older records: the first kept record
     * links to {@code anchorHash}, the hash of the last pruned one (seq {@code prunedThroughSeq}).
     */
    public record Anchor(long prunedThroughSeq, String anchorHash, long prunedCount, java.time.OffsetDateTime prunedAt) {
    }

    /**
     * The outcome: {@code intact} when every chained record checks out; {@code unchainedRecords}
     * were written before chaining existed; {@code headHash} is the last record's hash;
     * {@code anchor} is where the kept chain starts when retention has pruned (null: at genesis).
     */
    public record Verification(boolean intact, long verifiedRecords, long unchainedRecords, String headHash,
                               Long headSeq, Anchor anchor, BrokenLink firstBrokenLink) {
    }

    private record State(long afterSeq, String expectedPrev, long verified, long unchained, Long headSeq,
                         Anchor anchor, boolean anchorConfirmed, java.time.OffsetDateTime to) {
    }

    /** The whole chain, from genesis or the retention anchor to the head. */
    public Uni<Verification> verify() {
        return verify(null, null);
    }

    /**
     * The records recorded in {@code [from, to)} (either may be null: the start or the head). A
     * range starting mid-chain also checks the link into it: its first record must name the hash
     * its predecessor stores.
     */
    public Uni<Verification> verify(java.time.OffsetDateTime from, java.time.OffsetDateTime to) {
        Uni<Anchor> anchor = pool.query(anchorSql).execute()
                .map(rows -> rows.size() == 0 ? null : anchor(rows.iterator().next()));
        if (from == null) {
            // a walk cut short by 'to' may end before the retention record that names the anchor
            return anchor.flatMap(a -> walk(new State(a == null ? 0 : a.prunedThroughSeq(), null, 0, 0, null, a,
                    a == null || to != null, to)));
        }
        return anchor.flatMap(a -> pool.preparedQuery(rangeStartSql).execute(io.vertx.mutiny.sqlclient.Tuple.of(from))
                .flatMap(rows -> {
                    io.vertx.mutiny.sqlclient.Row row = rows.iterator().next();
                    Long first = row.getLong("first_seq");
                    if (first == null) {   // nothing recorded since 'from'
                        return Uni.createFrom().item(new Verification(true, 0, 0, null, null, a, null));
                    }
                    String before = row.getString("prev_stored_hash");
                    // the predecessor was pruned (or never chained): the usual start rules apply
                    return walk(new State(first - 1, before, 0, 0, null, a, true, to));
                }));
    }

    private static Anchor anchor(io.vertx.mutiny.sqlclient.Row row) {
        return new Anchor(row.getLong("pruned_through_seq"), row.getString("anchor_hash"), row.getLong("pruned_count"),
                row.getOffsetDateTime("pruned_at"));
    }

    private Uni<Verification> walk(State start) {
        java.util.concurrent.atomic.AtomicReference<State> state = new java.util.concurrent.atomic.AtomicReference<>(start);
        // one short session per page, no recursion: memory stays flat however long the log is
        return io.smallrye.mutiny.Multi.createBy().repeating()
                .uni(() -> Panache.withSession(() -> records.chainPage(state.get().afterSeq(), PAGE))
                        .map(page -> java.util.Optional.ofNullable(check(state, page))))
                .whilst(java.util.Optional::isEmpty)
                .collect().last()
                .map(java.util.Optional::get)
                .invoke(v -> {
                    if (!v.intact()) {
                        failures.increment();
                    }
                });
    }

    /** Checks one page; returns the verdict when the walk is over, or null (state advanced) to go on. */
    private Verification check(java.util.concurrent.atomic.AtomicReference<State> holder, List<AuditRecord> page) {
        State state = holder.get();
        {
            String expected = state.expectedPrev();
            long verified = state.verified();
            long unchained = state.unchained();
            Long headSeq = state.headSeq();
            Anchor anchor = state.anchor();
            boolean confirmed = state.anchorConfirmed();
            for (AuditRecord r : page) {
                if (state.to() != null && !r.recordedAt().isBefore(state.to())) {
                    return done(anchor, true, verified, unchained, expected, headSeq, null);
                }
                if (r.hash() == null) {
                    if (expected != null) {
                        return done(anchor, false, verified, unchained, expected, headSeq, new BrokenLink(r.seq(), r.eventId(),
                                "record has no hash after the chain began (hash removed?)"));
                    }
                    unchained++;
                    continue;
                }
                String prev = expected != null ? expected : anchor != null ? anchor.anchorHash() : AuditChain.GENESIS;
                if (!prev.equals(r.prevHash())) {
                    return done(anchor, false, verified, unchained, expected, headSeq, new BrokenLink(r.seq(), r.eventId(),
                            "previous-hash link does not match the preceding record (record removed or reordered)"));
                }
                if (!AuditChain.hash(r, r.prevHash()).equals(r.hash())) {
                    return done(anchor, false, verified, unchained, expected, headSeq, new BrokenLink(r.seq(), r.eventId(),
                            "record content does not match its hash (record modified)"));
                }
                expected = r.hash();
                headSeq = r.seq();
                verified++;
                confirmed = confirmed || describesAnchor(r, anchor);
            }
            if (page.size() < PAGE) {
                if (!confirmed) {
                    return done(anchor, false, verified, unchained, expected, headSeq, new BrokenLink(anchor.prunedThroughSeq(),
                            null, "the chain's anchor (records up to seq " + anchor.prunedThroughSeq()
                            + " pruned) is not described by any retention record in the chain (anchor forged or the"
                            + " retention record removed)"));
                }
                return done(anchor, true, verified, unchained, expected, headSeq, null);
            }
            long last = page.get(page.size() - 1).seq();
            holder.set(new State(last, expected, verified, unchained, headSeq, anchor, confirmed, state.to()));
            return null;
        }
    }

    private static Verification done(Anchor anchor, boolean intact, long verified, long unchained, String head, Long headSeq,
                              BrokenLink broken) {
        return new Verification(intact, verified, unchained, head, headSeq, anchor, broken);
    }

    /** A retention record (itself chained, so not forgeable without breaking the chain) that names the anchor. */
    private static boolean describesAnchor(AuditRecord r, Anchor anchor) {
        if (anchor == null || !RetentionService.TYPE.equals(r.type())) {
            return false;
        }
        try {
            com.fasterxml.jackson.databind.JsonNode details = io.devopsconsole.events.EventJson.mapper().readTree(r.details());
            return anchor.anchorHash().equals(details.path("anchor_hash").asText())
                    && anchor.prunedThroughSeq() == details.path("last_seq").asLong();
        } catch (java.io.IOException e) {
            return false;
        }
    }

}
