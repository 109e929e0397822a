package io.devopsconsole.platform.inbox;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.UUID;

/**
 * The processed-event table of an idempotent consumer. Call {@link #claim} inside the
 * transaction that applies the event: the claim and the effect commit together, so a
 * redelivered event finds its claim and changes nothing.
 */
@ApplicationScoped
public class ProcessedEvents {

    /** True the first time this consumer sees the event id; false for a redelivery. */
    public Uni<Boolean> claim(String consumer, UUID eventId) {
        return Panache.getSession().flatMap(session -> session
                .createNativeQuery("INSERT INTO {h-schema}processed_event (consumer, event_id) VALUES (:consumer, :eventId) "
                        + "ON CONFLICT DO NOTHING")
                .setParameter("consumer", consumer)
                .setParameter("eventId", eventId)
                .executeUpdate())
                .map(inserted -> inserted == 1);
    }
}
