package io.devopsconsole.audit.record;

import com.fasterxml.jackson.databind.JsonNode;
import io.devopsconsole.events.CloudEventCodec;
import io.devopsconsole.events.DomainEvent;
import io.devopsconsole.events.EventEnvelope;
import io.devopsconsole.events.EventJson;
import io.devopsconsole.platform.problem.InvalidFieldException;
import io.devopsconsole.platform.problem.Problem;
import io.devopsconsole.platform.redaction.SecretScanner;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Stores one record per domain event (idempotently) and answers searches. */
@ApplicationScoped
public class AuditService {

    private final AuditRecordRepository records;
    private final AuditWriter writer;
    private final Counter recorded;
    private final Counter duplicatesSeen;

    public AuditService(AuditRecordRepository records, AuditWriter writer, MeterRegistry meters) {
        this.records = records;
        this.writer = writer;
        this.recorded = Counter.builder("audit.events.recorded")
                .description("Audit records written")
                .register(meters);
        this.duplicatesSeen = Counter.builder("audit.events.duplicates")
                .description("Redelivered events that were already recorded")
                .register(meters);
    }

    /** Where the event came from: a topic position, or {@code api} (partition and offset null) for direct posts. */
    public record Origin(String topic, Integer partition, Long offset) {}

    /** A readable event, ready to store as {@code record} (built before any transaction). */
    public record Inbound(EventEnvelope envelope, AuditRecord record) {
        UUID eventId() {
            return record.eventId();
        }
    }

    /** The topic column of records posted through the API (no topic position). */
    public static final String API_TOPIC = "api";
    /** Event types of the console's own services: an outside producer may not post them. */
    static final String RESERVED_TYPES = "io.devopsconsole.";

    /**
     * Records an event posted by an outside producer (ADR 0018): refused (400 naming each path) if
     * anything in it looks like a secret or its type is one of the console's own; idempotent on
     * {@code id}. The service sets the record's source (the calling client, {@code /api/<client>}),
     * actor (the token's user) and time (its clock); the producer's own {@code source} and
     * {@code time} are kept as reported claims, covered by the hash, never as the record's.
     * Returns the stored record and whether this call created it.
     */
    public Uni<Submitted> submit(SubmitEventRequest request, String actor, String client) {
        List<String> secrets = SecretScanner.findings(EventJson.mapper().valueToTree(request), "");
        if (!secrets.isEmpty()) {
            throw new InvalidFieldException(secrets.stream()
                    .map(path -> new Problem.FieldError(
                            path, "looks like a secret; send a reference to it, never the secret itself"))
                    .toList());
        }
        if (request.type().startsWith(RESERVED_TYPES)) {
            throw new InvalidFieldException(
                    "type",
                    "names an event of the console's own services; outside producers use"
                            + " their own types (like 'ci.deployment.started')");
        }
        if (request.details() != null && !request.details().isObject()) {
            throw new InvalidFieldException("details", "must be a JSON object");
        }
        UUID eventId = request.id() == null ? UUID.randomUUID() : request.id();
        OffsetDateTime now = now();
        var reported = EventJson.mapper().createObjectNode();
        if (request.source() != null) {
            reported.put("source", request.source());
        }
        if (request.time() != null) {
            reported.put("time", request.time().toInstant().toString());
        }
        AuditRecord record = new AuditRecord(
                eventId,
                now,
                now,
                "/api/" + client,
                request.type(),
                actor,
                request.action() == null ? Summaries.action(request.type()) : request.action(),
                request.resourceType(),
                request.resourceId(),
                request.resourceName(),
                request.sessionId(),
                request.risk(),
                request.summary(),
                request.details() == null ? "{}" : request.details().toString(),
                false,
                API_TOPIC,
                null,
                null,
                reported.isEmpty() ? null : reported.toString());
        return recordAll(List.of(new Inbound(null, record)))
                .flatMap(stored -> stored == 1
                        ? Uni.createFrom().item(new Submitted(AuditRecordResponse.of(record), true))
                        : Panache.withSession(
                                        () -> records.find("eventId", eventId).firstResult())
                                .map(existing -> new Submitted(AuditRecordResponse.of(existing), false)));
    }

    /** The outcome of a direct submission. */
    public record Submitted(AuditRecordResponse record, boolean created) {}

    /** Builds the record of an event; throws for an event this build cannot describe (dead-lettered). */
    public Inbound prepare(EventEnvelope envelope, Optional<DomainEvent> decoded, Origin origin) {
        return new Inbound(envelope, toRecord(envelope, decoded, origin, now()));
    }

    /**
     * Records each event not recorded before, in one transaction under the chain lock; returns
     * how many records were written. Redeliveries (also within the batch) write nothing.
     */
    public Uni<Integer> recordAll(List<Inbound> events) {
        if (events.isEmpty()) {
            return Uni.createFrom().item(0);
        }
        return writer.append(events.stream().map(Inbound::record).toList()).map(stored -> {
            int duplicates = events.size() - stored.size();
            if (duplicates > 0) {
                duplicatesSeen.increment(duplicates);
            }
            recorded.increment(stored.size());
            return stored.size();
        });
    }

    /** The type of the record that takes the place of an event the database refused. */
    public static final String REFUSED = "io.devopsconsole.audit.record.refused.v1";

    /**
     * What the chain holds in place of an event that cannot be stored (ADR 0014): which event, from
     * where, and why, so the gap is visible to anyone reading or verifying the log. Its event id is
     * derived from the refused event's, so a redelivery records it once.
     */
    public Inbound refused(Inbound event, String reason) {
        AuditRecord r = event.record();
        var details = EventJson.mapper()
                .createObjectNode()
                .put("refused_event_id", r.eventId().toString())
                .put("refused_type", r.type())
                .put("topic", r.topic())
                .put("reason", SecretScanner.redactText(reason));
        if (r.kafkaPartition() != null) {
            details.put("partition", r.kafkaPartition()).put("offset", r.kafkaOffset());
        }
        OffsetDateTime at = now();
        String summary = "event " + r.eventId() + " (" + r.type() + ") from " + r.topic() + " could not be recorded: "
                + SecretScanner.redactText(reason) + "; it was moved to the dead-letter topic";
        UUID id = UUID.nameUUIDFromBytes(("refused:" + r.eventId()).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return new Inbound(
                event.envelope(),
                new AuditRecord(
                        id,
                        at,
                        at,
                        "/audit-service",
                        REFUSED,
                        "system:audit-service",
                        "record.refused",
                        "audit_log",
                        r.eventId().toString(),
                        null,
                        r.sessionId(),
                        io.devopsconsole.events.Risk.ELEVATED.wire(),
                        summary,
                        details.toString(),
                        false,
                        r.topic(),
                        r.kafkaPartition(),
                        r.kafkaOffset()));
    }

    /**
     * Builds the stored form: secret-looking values in the details (and the summary) are replaced
     * before anything is stored or republished, and the record says so.
     */
    private static AuditRecord toRecord(
            EventEnvelope envelope, Optional<DomainEvent> decoded, Origin origin, OffsetDateTime now) {
        SecretScanner.Redacted details = SecretScanner.redact(parseDetails(envelope.data()));
        String summary = Summaries.of(envelope, decoded);
        String safeSummary = SecretScanner.redactText(summary);
        boolean redacted = details.changed() || !safeSummary.equals(summary);
        return new AuditRecord(
                envelope.id(),
                envelope.time(),
                now,
                envelope.source(),
                envelope.type(),
                envelope.actor(),
                Summaries.action(envelope.type()),
                decoded.map(DomainEvent::resourceType).orElse(Summaries.resourceType(envelope.type())),
                envelope.subject(),
                decoded.map(DomainEvent::resourceName).orElse(null),
                envelope.extensions().get(CloudEventCodec.SESSION_ID),
                envelope.extensions().get(CloudEventCodec.RISK),
                safeSummary,
                details.json().toString(),
                redacted,
                origin.topic(),
                origin.partition(),
                origin.offset());
    }

    private static JsonNode parseDetails(byte[] data) {
        try {
            return EventJson.mapper().readTree(data);
        } catch (IOException e) {
            throw new IllegalArgumentException("event data is not JSON", e);
        }
    }

    @WithSession
    public Uni<AuditRecordResponse.Page> search(
            String resourceType,
            String resourceId,
            String actor,
            String action,
            String risk,
            String sessionId,
            String text,
            OffsetDateTime from,
            OffsetDateTime to,
            String cursor,
            int limit) {
        Long before = decodeCursor(cursor);
        if (from != null && to != null && !from.isBefore(to)) {
            throw new InvalidFieldException("to", "must be after 'from'");
        }
        AuditQuery query = new AuditQuery(
                resourceType, resourceId, actor, action, risk, sessionId, text, from, to, before, limit + 1);
        return records.search(query).map(rows -> {
            boolean more = rows.size() > limit;
            List<AuditRecord> page = more ? rows.subList(0, limit) : rows;
            String next = more ? Long.toString(page.get(page.size() - 1).seq()) : null;
            return new AuditRecordResponse.Page(
                    page.stream().map(AuditRecordResponse::of).toList(), next);
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
