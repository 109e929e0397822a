package io.devopsconsole.session.notify;

import io.devopsconsole.events.DomainEvent;
import io.devopsconsole.events.session.ApprovalRequested;
import io.devopsconsole.platform.messaging.DeadLetters;
import io.devopsconsole.platform.messaging.Projections;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Subscribes to the session events (console.session.v1, its own consumer group) and records, for each
 * approval requested, one notification per channel that is on. Recording is idempotent: the same event
 * delivered again (after a restart or a rebalance) finds its rows and adds nothing.
 */
@ApplicationScoped
public class NotificationSubscriber {

    private static final Logger LOG = Logger.getLogger(NotificationSubscriber.class);

    private final NotificationStore store;
    private final Channels channels;
    private final DeadLetters deadLetters;

    public NotificationSubscriber(NotificationStore store, Channels channels, DeadLetters deadLetters) {
        this.store = store;
        this.channels = channels;
        this.deadLetters = deadLetters;
    }

    @Incoming("session-notify")
    public Uni<Void> consume(ConsumerRecords<String, byte[]> records) {
        if (channels.enabled().isEmpty()) {
            return Uni.createFrom().voidItem(); // no channel configured: nothing to announce
        }
        return Projections.apply(records, this::apply, LOG, deadLetters);
    }

    private Uni<Void> apply(DomainEvent event) {
        if (event instanceof ApprovalRequested e) {
            return store.record(e, channels.enabled());
        }
        return Uni.createFrom().voidItem();
    }
}
