package io.devopsconsole.audit.record;

import io.devopsconsole.events.CloudEventCodec;
import io.devopsconsole.events.DomainEvent;
import io.devopsconsole.events.EventEnvelope;
import io.devopsconsole.platform.inbox.ProcessedEvents;
import io.devopsconsole.platform.problem.InvalidFieldException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/** Stores one record per domain event (idempotently) and answers searches. */
@ApplicationScoped
public class AuditService {

    static final String CONSUMER = "audit-service";

    private final AuditRecordRepository records;
    private final ProcessedEvents processed;
    private final Counter recorded;
    private final Counter duplicatesSeen;

    public AuditService(AuditRecordRepository records, ProcessedEvents processed, MeterRegistry meters) {
        this.records = records;
        this.processed = processed;
        this.recorded = Counter.builder("audit.events.recorded").description("Audit records written").register(meters);
        this.duplicatesSeen = Counter.builder("audit.events.duplicates")
                .description("Redelivered events that were already recorded").register(meters);
    }

    /** Where on the log the event was read from. */
    public record Origin(String topic, int partition, long offset) {
    }

    /** A readable event, ready to store as {@code record} (built before any transaction). */
    public record Inbound(EventEnvelope envelope, AuditRecord record) {
    }

    /** Builds the record of an event; throws for an event this build cannot describe (dead-lettered). */
    public Inbound prepare(EventEnvelope envelope, Optional<DomainEvent> decoded, Origin origin) {
        return new Inbound(envelope, toRecord(envelope, decoded, origin, now()));
    }

    /**
     * Records each event not recorded before, in one transaction with the processed-event claims;
     * returns how many records were written. Redeliveries (also within the batch) write nothing.
     */
    @WithTransaction
    public Uni<Integer> recordAll(List<Inbound> events) {
        if (events.isEmpty()) {
            return Uni.createFrom().item(0);
        }
        List<UUID> ids = events.stream().map(e -> e.envelope().id()).toList();
        return processed.claimAll(CONSUMER, ids).flatMap(fresh -> {
            List<AuditRecord> rows = new ArrayList<>(fresh.size());
            Set<UUID> pending = new HashSet<>(fresh);
            for (Inbound event : events) {
                if (pending.remove(event.envelope().id())) {
                    rows.add(event.record());
                }
            }
            int duplicates = events.size() - rows.size();
            if (duplicates > 0) {
                duplicatesSeen.increment(duplicates);
            }
            if (rows.isEmpty()) {
                return Uni.createFrom().item(0);
            }
            return records.lockChainHead().flatMap(head -> {
                String prev = head;
                for (AuditRecord row : rows) {
                    row.chain(prev);
                    prev = row.hash();
                }
                return records.persist(rows);
            }).map(done -> {
                recorded.increment(rows.size());
                return rows.size();
            });
        });
    }

    private static AuditRecord toRecord(EventEnvelope envelope, Optional<DomainEvent> decoded, Origin origin,
                                        OffsetDateTime now) {
        return new AuditRecord(envelope.id(), envelope.time(), now, envelope.source(), envelope.type(),
                envelope.actor(), Summaries.action(envelope.type()),
                decoded.map(DomainEvent::resourceType).orElse(Summaries.resourceType(envelope.type())),
                envelope.subject(), decoded.map(DomainEvent::resourceName).orElse(null),
                envelope.extensions().get(CloudEventCodec.SESSION_ID), envelope.extensions().get(CloudEventCodec.RISK),
                Summaries.of(envelope, decoded), new String(envelope.data(), StandardCharsets.UTF_8),
                origin.topic(), origin.partition(), origin.offset());
    }

    @WithSession
    public Uni<AuditRecordResponse.Page> search(String resourceType, String resourceId, String actor, String action,
                                                OffsetDateTime from, OffsetDateTime to, String cursor, int limit) {
        Long before = decodeCursor(cursor);
        if (from != null && to != null && !from.isBefore(to)) {
            throw new InvalidFieldException("to", "must be after 'from'");
        }
        AuditQuery query = new AuditQuery(resourceType, resourceId, actor, action, from, to, before, limit + 1);
        return records.search(query).map(rows -> {
            boolean more = rows.size() > limit;
            List<AuditRecord> page = more ? rows.subList(0, limit) : rows;
            String next = more ? Long.toString(page.get(page.size() - 1).seq()) : null;
            return new AuditRecordResponse.Page(page.stream().map(AuditRecordResponse::of).toList(), next);
        });
    }

    private static Long decodeCursor(String cursor) {
        if (cursor == null || cursor.isEmpty()) {
            return null;
        }
        try {
            long value = Long.parseLong(cursor);
            if (value > 0) {
                return value;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new InvalidFieldException("cursor", "is not a cursor this API returned");
    }

    private static OffsetDateTime now() {
        return OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MICROS);
    }
}
