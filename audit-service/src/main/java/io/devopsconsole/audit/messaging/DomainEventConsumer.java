package io.devopsconsole.audit.messaging;

import io.devopsconsole.audit.record.AuditService;
import io.devopsconsole.events.EventEnvelope;
import io.devopsconsole.events.MalformedEventException;
import io.devopsconsole.platform.messaging.InboundEvents;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

import java.time.Duration;

/**
 * Turns each domain event into one audit record. A record that is not a readable CloudEvent
 * fails the message, which the channel moves to the dead-letter topic; a database outage is
 * retried (with back-off, in order) rather than dead-lettered, since the event itself is fine.
 */
@ApplicationScoped
public class DomainEventConsumer {

    private static final Logger LOG = Logger.getLogger(DomainEventConsumer.class);

    private final AuditService audit;

    public DomainEventConsumer(AuditService audit) {
        this.audit = audit;
    }

    @Incoming("registry-events")
    public Uni<Void> registry(ConsumerRecord<String, byte[]> record) {
        return consume(record);
    }

    private Uni<Void> consume(ConsumerRecord<String, byte[]> record) {
        EventEnvelope envelope;
        try {
            envelope = InboundEvents.envelope(record);
        } catch (MalformedEventException e) {
            LOG.warnf("unreadable record %s-%d@%d sent to the dead-letter topic: %s", record.topic(), record.partition(),
                    record.offset(), e.getMessage());
            return Uni.createFrom().failure(e);
        }
        AuditService.Origin origin = new AuditService.Origin(record.topic(), record.partition(), record.offset());
        return Uni.createFrom().deferred(() -> {
                    try {
                        return audit.record(envelope, origin);
                    } catch (MalformedEventException e) {
                        return Uni.createFrom().failure(e);
                    }
                })
                .onFailure(f -> !(f instanceof MalformedEventException))
                .invoke(f -> LOG.warnf("storing audit record for event %s failed, retrying: %s", envelope.id(), f.toString()))
                .onFailure(f -> !(f instanceof MalformedEventException))
                .retry().withBackOff(Duration.ofMillis(200), Duration.ofSeconds(10)).indefinitely()
                .onFailure(MalformedEventException.class)
                .invoke(f -> LOG.warnf("event %s (%s) has unreadable data; sent to the dead-letter topic", envelope.id(),
                        envelope.type()))
                .replaceWithVoid();
    }
}
