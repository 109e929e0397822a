package io.devopsconsole.platform.outbox;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.devopsconsole.events.CloudEventCodec;
import io.devopsconsole.events.DomainEvent;
import io.devopsconsole.events.EventCatalog;
import io.devopsconsole.events.EventEnvelope;
import io.devopsconsole.events.EventJson;
import io.devopsconsole.platform.security.CurrentActor;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

/**
 * Records a domain event in the caller's transaction. Call it from inside the
 * {@code @WithTransaction} that makes the change, so both commit or neither does; the
 * {@link OutboxRelay} publishes the row afterwards.
 */
@ApplicationScoped
public class Outbox {

    private final CurrentActor actor;
    private final String source;
    private final Clock clock;

    public Outbox(CurrentActor actor, @ConfigProperty(name = "quarkus.application.name") String serviceName) {
        this.actor = actor;
        this.source = "/" + serviceName;
        this.clock = Clock.systemUTC();
    }

    /** Adds the event to the current transaction, stamped with the current actor. */
    public Uni<EventEnvelope> record(DomainEvent event) {
        return record(event, Map.of());
    }

    public Uni<EventEnvelope> record(DomainEvent event, Map<String, String> extensions) {
        return actor.name().flatMap(name -> {
            OutboxEvent row = row(event, extensions, name);
            return Panache.getSession().flatMap(session -> session.persist(row)).replaceWith(row.envelope());
        });
    }

    /** Adds many events to the current transaction in one step (one actor lookup, one persist call). */
    public Uni<Void> recordAll(List<? extends DomainEvent> events) {
        if (events.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return actor.name().flatMap(name -> {
            Object[] rows = events.stream().map(e -> row(e, Map.of(), name)).toArray();
            return Panache.getSession().flatMap(session -> session.persistAll(rows));
        });
    }

    private OutboxEvent row(DomainEvent event, Map<String, String> extensions, String actorName) {
        OffsetDateTime now = OffsetDateTime.now(clock).truncatedTo(ChronoUnit.MICROS);
        EventEnvelope envelope = CloudEventCodec.wrap(event, source, actorName, now, extensions);
        return new OutboxEvent(envelope, EventCatalog.of(event).topic(), json(envelope.extensions()));
    }

    private static String json(Map<String, String> extensions) {
        try {
            return EventJson.mapper().writeValueAsString(extensions);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
