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
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Records a domain event in the caller's transaction. Call it from inside the
 * {@code @WithTransaction} that makes the change, so both commit or neither does; the
 * {@link OutboxRelay} publishes the row afterwards.
 */
@ApplicationScoped
public class Outbox {

    private final CurrentActor actor;
    private final String source;
    private final String schema;
    private final Clock clock;

    public Outbox(
            CurrentActor actor,
            @ConfigProperty(name = "quarkus.application.name") String serviceName,
            @ConfigProperty(name = "devops.schema") String schema) {
        this.actor = actor;
        this.schema = schema;
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

    /**
     * Adds events to a transaction of the reactive SQL client (for services that write without the
     * ORM): one INSERT for all of them, on {@code connection}, so they commit with the caller's
     * change. {@code extensions} apply to every event.
     */
    public Uni<Void> recordAll(
            io.vertx.mutiny.sqlclient.SqlConnection connection,
            List<? extends DomainEvent> events,
            String actorName,
            Map<String, String> extensions) {
        if (events.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        int n = events.size();
        java.util.UUID[] ids = new java.util.UUID[n];
        String[] topics = new String[n];
        String[] keys = new String[n];
        String[] types = new String[n];
        String[] sources = new String[n];
        OffsetDateTime[] times = new OffsetDateTime[n];
        String[] actors = new String[n];
        String[] exts = new String[n];
        io.vertx.core.buffer.Buffer[] data = new io.vertx.core.buffer.Buffer[n];
        for (int i = 0; i < n; i++) {
            OutboxEvent row = row(events.get(i), extensions, actorName);
            EventEnvelope e = row.envelope();
            ids[i] = e.id();
            topics[i] = EventCatalog.of(events.get(i)).topic();
            keys[i] = e.subject();
            types[i] = e.type();
            sources[i] = e.source();
            times[i] = e.time();
            actors[i] = e.actor();
            exts[i] = json(e.extensions());
            data[i] = io.vertx.core.buffer.Buffer.buffer(e.data());
        }
        String sql =
                "INSERT INTO " + schema + ".outbox_event (event_id, topic, message_key, ce_type, ce_source, ce_time,"
                        + " actor, extensions, data) SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[],"
                        + " $6::timestamptz[], $7::text[], $8::text[], $9::bytea[])";
        io.vertx.mutiny.sqlclient.Tuple params = io.vertx.mutiny.sqlclient.Tuple.tuple()
                .addArrayOfUUID(ids)
                .addArrayOfString(topics)
                .addArrayOfString(keys)
                .addArrayOfString(types)
                .addArrayOfString(sources)
                .addArrayOfOffsetDateTime(times)
                .addArrayOfString(actors)
                .addArrayOfString(exts);
        params.addValue(data);
        return connection.preparedQuery(sql).execute(params).replaceWithVoid();
    }

    private OutboxEvent row(DomainEvent event, Map<String, String> extensions, String actorName) {
        OffsetDateTime now = OffsetDateTime.now(clock).truncatedTo(ChronoUnit.MICROS);
        // the request's trace goes with the event (ce_traceparent), so its consumers continue it
        EventEnvelope envelope = CloudEventCodec.wrap(
                event,
                source,
                actorName,
                now,
                io.devopsconsole.platform.tracing.Traces.withCurrentContext(
                        io.devopsconsole.platform.security.Via.with(extensions)));
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
