package io.devopsconsole.audit.record;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.UUID;

/**
 * Walks the log in {@code seq} order, a page at a time, recomputing every chained record's hash
 * and checking that it names its predecessor's. A broken link does not end the walk (ADR 0018):
 * the next record is checked against what its predecessor stores, so one damaged record cannot
 * hide tampering after it; every broken link is counted, the first {@value #REPORTED_LINKS} listed.
 */
@ApplicationScoped
public class ChainVerifier {

    static final int PAGE = 1_000;
    static final int REPORTED_LINKS = 1_000;

    private final AuditRecordRepository records;
    private final io.vertx.mutiny.sqlclient.Pool pool;
    private final String anchorSql;
    private final String rangeStartSql;
    private final io.micrometer.core.instrument.Counter failures;

    public ChainVerifier(
            AuditRecordRepository records,
            io.vertx.mutiny.sqlclient.Pool pool,
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
                .description("Verifications that found a broken link in the audit chain")
                .register(meters);
    }

    /** Where and why the chain breaks. */
    public record BrokenLink(long seq, UUID eventId, String reason) {}

    /**
     * Where the kept chain starts after retention pruned older records: the first kept record
     * links to {@code anchorHash}, the hash of the last pruned one (seq {@code prunedThroughSeq}).
     */
    public record Anchor(
            long prunedThroughSeq, String anchorHash, long prunedCount, java.time.OffsetDateTime prunedAt) {}

    /**
     * The outcome: {@code intact} when every chained record checks out; {@code unchainedRecords}
     * were written before chaining existed; {@code headHash} is the last record's hash;
     * {@code anchor} is where the kept chain starts when retention has pruned (null: at genesis);
     * {@code brokenLinkCount} counts every broken link, {@code brokenLinks} lists the first
     * {@value #REPORTED_LINKS} in chain order ({@code firstBrokenLink} is the first of them).
     */
    public record Verification(
            boolean intact,
            long verifiedRecords,
            long unchainedRecords,
            String headHash,
            Long headSeq,
            Anchor anchor,
            BrokenLink firstBrokenLink,
            long brokenLinkCount,
            List<BrokenLink> brokenLinks) {}

    /** Where the walk is; one walk at a time touches it (pages are read one after the other). */
    private static final class State {
        long afterSeq;
        String expectedPrev;
        long verified;
        long unchained;
        Long headSeq;
        final Anchor anchor;
        boolean anchorConfirmed;
        final java.time.OffsetDateTime to;
        short lastVersion;
        long brokenCount;
        final List<BrokenLink> broken = new java.util.ArrayList<>();

        State(long afterSeq, String expectedPrev, Anchor anchor, boolean anchorConfirmed, java.time.OffsetDateTime to) {
            this.afterSeq = afterSeq;
            this.expectedPrev = expectedPrev;
            this.anchor = anchor;
            this.anchorConfirmed = anchorConfirmed;
            this.to = to;
        }

        void broken(BrokenLink link) {
            brokenCount++;
            if (broken.size() < REPORTED_LINKS) {
                broken.add(link);
            }
        }

        Verification verdict() {
            return new Verification(
                    brokenCount == 0,
                    verified,
                    unchained,
                    expectedPrev,
                    headSeq,
                    anchor,
                    broken.isEmpty() ? null : broken.get(0),
                    brokenCount,
                    List.copyOf(broken));
        }
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
        Uni<Anchor> anchor = pool.query(anchorSql)
                .execute()
                .map(rows -> rows.size() == 0 ? null : anchor(rows.iterator().next()));
        if (from == null) {
            // a walk cut short by 'to' may end before the retention record that names the anchor
            return anchor.flatMap(
                    a -> walk(new State(a == null ? 0 : a.prunedThroughSeq(), null, a, a == null || to != null, to)));
        }
        return anchor.flatMap(a -> pool.preparedQuery(rangeStartSql)
                .execute(io.vertx.mutiny.sqlclient.Tuple.of(from))
                .flatMap(rows -> {
                    io.vertx.mutiny.sqlclient.Row row = rows.iterator().next();
                    Long first = row.getLong("first_seq");
                    if (first == null) { // nothing recorded since 'from'
                        return Uni.createFrom().item(new Verification(true, 0, 0, null, null, a, null, 0, List.of()));
                    }
                    String before = row.getString("prev_stored_hash");
                    // the predecessor was pruned (or never chained): the usual start rules apply
                    return walk(new State(first - 1, before, a, true, to));
                }));
    }

    private static Anchor anchor(io.vertx.mutiny.sqlclient.Row row) {
        return new Anchor(
                row.getLong("pruned_through_seq"),
                row.getString("anchor_hash"),
                row.getLong("pruned_count"),
                row.getOffsetDateTime("pruned_at"));
    }

    private Uni<Verification> walk(State state) {
        // one short session per page, no recursion: memory stays flat however long the log is
        return io.smallrye.mutiny.Multi.createBy()
                .repeating()
                .uni(() -> Panache.withSession(() -> records.chainPage(state.afterSeq, PAGE))
                        .map(page -> java.util.Optional.ofNullable(check(state, page))))
                .whilst(java.util.Optional::isEmpty)
                .collect()
                .last()
                .map(java.util.Optional::get)
                .invoke(v -> {
                    if (!v.intact()) {
                        failures.increment();
                    }
                });
    }

    /** Checks one page; returns the verdict when the walk is over, or null (state advanced) to go on. */
    private static Verification check(State state, List<AuditRecord> page) {
        for (AuditRecord r : page) {
            if (state.to != null && !r.recordedAt().isBefore(state.to)) {
                return state.verdict();
            }
            if (r.hash() == null) {
                if (state.expectedPrev != null) {
                    state.broken(new BrokenLink(
                            r.seq(), r.eventId(), "record has no hash after the chain began (hash removed?)"));
                } else {
                    state.unchained++;
                }
                continue;
            }
            if (r.hashVersion() < state.lastVersion) {
                state.broken(new BrokenLink(
                        r.seq(),
                        r.eventId(),
                        "record is hashed in form " + r.hashVersion() + " after a record in form " + state.lastVersion
                                + " (form lowered to leave fields out of the hash)"));
            }
            String prev = state.expectedPrev != null
                    ? state.expectedPrev
                    : state.anchor != null ? state.anchor.anchorHash() : AuditChain.GENESIS;
            if (!prev.equals(r.prevHash())) {
                state.broken(new BrokenLink(
                        r.seq(),
                        r.eventId(),
                        "previous-hash link does not match the preceding record (record removed or reordered)"));
            }
            if (!AuditChain.hash(r, r.prevHash()).equals(r.hash())) {
                state.broken(new BrokenLink(
                        r.seq(), r.eventId(), "record content does not match its hash (record modified)"));
            }
            // the next record is checked against what this one stores, so one break does not hide the next
            state.expectedPrev = r.hash();
            state.headSeq = r.seq();
            state.lastVersion = (short) Math.max(state.lastVersion, r.hashVersion());
            state.verified++;
            state.anchorConfirmed = state.anchorConfirmed || describesAnchor(r, state.anchor);
        }
        if (page.size() < PAGE) {
            if (!state.anchorConfirmed) {
                state.broken(new BrokenLink(
                        state.anchor.prunedThroughSeq(),
                        null,
                        "the chain's anchor (records up to seq "
                                + state.anchor.prunedThroughSeq()
                                + " pruned) is not described by any retention record in the chain"
                                + " (anchor forged or the retention record removed)"));
            }
            return state.verdict();
        }
        state.afterSeq = page.get(page.size() - 1).seq();
        return null;
    }

    /** A retention record (itself chained, so not forgeable without breaking the chain) that names the anchor. */
    private static boolean describesAnchor(AuditRecord r, Anchor anchor) {
        if (anchor == null || !RetentionService.TYPE.equals(r.type())) {
            return false;
        }
        try {
            com.fasterxml.jackson.databind.JsonNode details =
                    io.devopsconsole.events.EventJson.mapper().readTree(r.details());
            return anchor.anchorHash().equals(details.path("anchor_hash").asText())
                    && anchor.prunedThroughSeq() == details.path("last_seq").asLong();
        } catch (java.io.IOException e) {
            return false;
        }
    }
}
