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
    private final io.micrometer.core.instrument.Counter failures;

    public ChainVerifier(AuditRecordRepository records, io.micrometer.core.instrument.MeterRegistry meters) {
        this.records = records;
        this.failures = io.micrometer.core.instrument.Counter.builder("audit.verify.failures")
                .description("Verifications that found a broken link in the audit chain").register(meters);
    }

    /** Where and why the chain breaks. */
    public record BrokenLink(long seq, UUID eventId, String reason) {
    }

    /**
     * The outcome: {@code intact} when every chained record checks out; {@code unchainedRecords}
     * were written before chaining existed; {@code headHash} is the last record's hash.
     */
    public record Verification(boolean intact, long verifiedRecords, long unchainedRecords, String headHash,
                               Long headSeq, BrokenLink firstBrokenLink) {
    }

    private record State(long afterSeq, String expectedPrev, long verified, long unchained, Long headSeq) {
    }

    public Uni<Verification> verify() {
        java.util.concurrent.atomic.AtomicReference<State> state = new java.util.concurrent.atomic.AtomicReference<>(
                new State(0, null, 0, 0, null));
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
            for (AuditRecord r : page) {
                if (r.hash() == null) {
                    if (expected != null) {
                        return done(false, verified, unchained, expected, headSeq, new BrokenLink(r.seq(), r.eventId(),
                                "record has no hash after the chain began (hash removed?)"));
                    }
                    unchained++;
                    continue;
                }
                String prev = expected == null ? AuditChain.GENESIS : expected;
                if (!prev.equals(r.prevHash())) {
                    return done(false, verified, unchained, expected, headSeq, new BrokenLink(r.seq(), r.eventId(),
                            "previous-hash link does not match the preceding record (record removed or reordered)"));
                }
                if (!AuditChain.hash(r, r.prevHash()).equals(r.hash())) {
                    return done(false, verified, unchained, expected, headSeq, new BrokenLink(r.seq(), r.eventId(),
                            "record content does not match its hash (record modified)"));
                }
                expected = r.hash();
                headSeq = r.seq();
                verified++;
            }
            if (page.size() < PAGE) {
                return done(true, verified, unchained, expected, headSeq, null);
            }
            long last = page.get(page.size() - 1).seq();
            holder.set(new State(last, expected, verified, unchained, headSeq));
            return null;
        }
    }

    private static Verification done(boolean intact, long verified, long unchained, String head, Long headSeq,
                                     BrokenLink broken) {
        return new Verification(intact, verified, unchained, head, headSeq, broken);
    }

}
