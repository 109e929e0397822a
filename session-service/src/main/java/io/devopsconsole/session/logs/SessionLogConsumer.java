package io.devopsconsole.session.logs;

import io.devopsconsole.events.DomainEvent;
import io.devopsconsole.events.logs.SessionLogged;
import io.devopsconsole.platform.messaging.DeadLetters;
import io.devopsconsole.platform.messaging.Projections;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Keeps the console's own log records about sessions from {@code console.session.logs.v1} (one
 * consumer group: each record kept once whatever the number of replicas). A record that cannot be
 * kept goes to the dead-letter topic with the reason, and the others go on.
 */
@ApplicationScoped
public class SessionLogConsumer {

    private static final Logger LOG = Logger.getLogger(SessionLogConsumer.class);

    /** About one record in this many is followed by pruning its session to the newest records kept. */
    static final int PRUNE_EVERY = 64;

    private final SessionLogStore store;
    private final DeadLetters deadLetters;

    public SessionLogConsumer(SessionLogStore store, DeadLetters deadLetters) {
        this.store = store;
        this.deadLetters = deadLetters;
    }

    @Incoming("session-logs")
    public Uni<Void> consume(ConsumerRecords<String, byte[]> records) {
        return Projections.apply(records, this::apply, LOG, deadLetters);
    }

    private Uni<Void> apply(DomainEvent event) {
        if (!(event instanceof SessionLogged e)) {
            return Uni.createFrom().voidItem();
        }
        Uni<Boolean> kept = store.add(e);
        // each process numbers its records, so pruning follows each session's share of the volume
        return Math.floorMod(e.sequence(), PRUNE_EVERY) == 0
                ? kept.flatMap(k -> store.prune(e.sessionId()))
                : kept.replaceWithVoid();
    }
}
