package io.devopsconsole.platform.inbox;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.hibernate.reactive.mutiny.Mutiny;

/**
 * The processed-event table of an idempotent consumer. Claim inside the transaction that applies
 * the events: the claims and the effects commit together, so a redelivered event finds its claim
 * and changes nothing. Consumption of one partition is serial, so two claims of one id never race
 * in practice; the primary key makes a race fail the transaction (and the retry then skips).
 */
@ApplicationScoped
public class ProcessedEvents {

    /** True the first time this consumer sees the event id; false for a redelivery. */
    public Uni<Boolean> claim(String consumer, UUID eventId) {
        return claimAll(consumer, List.of(eventId)).map(claimed -> claimed.contains(eventId));
    }

    /** Claims the ids not seen before and returns them; ids already processed are left out. */
    public Uni<Set<UUID>> claimAll(String consumer, Collection<UUID> eventIds) {
        Set<UUID> wanted = new LinkedHashSet<>(eventIds);
        if (wanted.isEmpty()) {
            return Uni.createFrom().item(Set.of());
        }
        return Panache.getSession()
                .flatMap(session -> seen(session, consumer, wanted).flatMap(seen -> {
                    Set<UUID> fresh = new LinkedHashSet<>(wanted);
                    fresh.removeAll(seen);
                    if (fresh.isEmpty()) {
                        return Uni.createFrom().item(Set.<UUID>of());
                    }
                    StringBuilder sql =
                            new StringBuilder("INSERT INTO {h-schema}processed_event (consumer, event_id) VALUES ");
                    int i = 0;
                    for (UUID ignored : fresh) {
                        sql.append(i == 0 ? "" : ", ")
                                .append("(:consumer, :id")
                                .append(i++)
                                .append(')');
                    }
                    Mutiny.Query<Object> insert = session.createNativeQuery(sql.toString());
                    insert.setParameter("consumer", consumer);
                    i = 0;
                    for (UUID id : fresh) {
                        insert.setParameter("id" + i++, id);
                    }
                    return insert.executeUpdate().replaceWith(fresh);
                }));
    }

    private static Uni<Set<UUID>> seen(Mutiny.Session session, String consumer, Set<UUID> ids) {
        return session.createNativeQuery(
                        "SELECT event_id FROM {h-schema}processed_event WHERE consumer = :consumer AND event_id IN (:ids)",
                        UUID.class)
                .setParameter("consumer", consumer)
                .setParameter("ids", ids)
                .getResultList()
                .map(HashSet::new);
    }
}
