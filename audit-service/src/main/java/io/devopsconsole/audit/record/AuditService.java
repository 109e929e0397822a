package io.devopsconsole.audit.record;

import io.devopsconsole.events.CloudEventCodec;
import io.devopsconsole.events.DomainEvent;
import io.devopsconsole.events.EventEnvelope;
import io.devopsconsole.events.MalformedEventException;
import io.devopsconsole.platform.inbox.ProcessedEvents;
import io.devopsconsole.platform.problem.InvalidFieldException;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;

/** Stores one record per domain event (idempotently) and answers searches. */
@ApplicationScoped
public class AuditService {

    static final String CONSUMER = "audit-service";

    private final AuditRecordRepository records;
    private final ProcessedEvents processed;
    private final MeterRegistry meters;

    public AuditService(AuditRecordRepository records, ProcessedEvents processed, MeterRegistry meters) {
        this.records = records;
        this.processed = processed;
        this.meters = meters;
    }

    /** Where on the log the event was read from. */
    public record Origin(String topic, int partition, long offset) {
    }

    /**
     * Records the event unless it was recorded before. Returns whether a record was written. The
     * claim in processed_event and the record commit together.
     */
    @WithTransaction
    public Uni<Boolean> record(EventEnvelope envelope, Origin origin) throws MalformedEventException {
        Optional<DomainEvent> decoded = CloudEventCodec.decode(envelope);
        AuditRecord record = new AuditRecord(envelope.id(), envelope.time(), now(), envelope.source(), envelope.type(),
                envelope.actor(), Summaries.action(envelope.type()),
                decoded.map(DomainEvent::resourceType).orElse(Summaries.resourceType(envelope.type())),
                envelope.subject(), decoded.map(DomainEvent::resourceName).orElse(null),
                envelope.extensions().get(CloudEventCodec.SESSION_ID), envelope.extensions().get(CloudEventCodec.RISK),
                Summaries.of(envelope, decoded), new String(envelope.data(), StandardCharsets.UTF_8),
                origin.topic(), origin.partition(), origin.offset());
        return processed.claim(CONSUMER, envelope.id()).flatMap(first -> {
            if (!first) {
                meters.counter("audit.events.duplicates", "topic", origin.topic()).increment();
                return Uni.createFrom().item(false);
            }
            return records.persist(record).map(stored -> {
                meters.counter("audit.events.recorded", "topic", origin.topic()).increment();
                return true;
            });
        });
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
