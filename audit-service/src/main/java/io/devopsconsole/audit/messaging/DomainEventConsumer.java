package io.devopsconsole.audit.messaging;

import io.devopsconsole.audit.record.AuditService;
import io.devopsconsole.events.CloudEventCodec;
import io.devopsconsole.events.EventEnvelope;
import io.devopsconsole.events.MalformedEventException;
import io.devopsconsole.platform.messaging.DeadLetters;
import io.devopsconsole.platform.messaging.InboundEvents;
import io.devopsconsole.platform.messaging.Poison;
import io.devopsconsole.platform.messaging.Retries;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Turns domain events into audit records, a polled batch at a time: the readable events of a
 * batch are stored in one transaction; records that are not readable CloudEvents go to the
 * dead-letter topic; then the batch is acknowledged. A database outage is retried with back-off
 * (the events are fine, so they are never dead-lettered for it), which holds the partitions in
 * order until the database is back. A batch the database refuses for its data (ADR 0014) is stored
 * record by record: the event that cannot be recorded is dead-lettered and a record saying so takes
 * its place in the chain; every other event is recorded.
 */
@ApplicationScoped
public class DomainEventConsumer {

    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(DomainEventConsumer.class);

    private final AuditService audit;
    private final DeadLetters deadLetters;

    public DomainEventConsumer(AuditService audit, DeadLetters deadLetters) {
        this.audit = audit;
        this.deadLetters = deadLetters;
    }

    @Incoming("registry-events")
    public Uni<Void> registry(ConsumerRecords<String, byte[]> records) {
        return consume(records);
    }

    @Incoming("session-events")
    public Uni<Void> session(ConsumerRecords<String, byte[]> records) {
        return consume(records);
    }

    @Incoming("onboarding-events")
    public Uni<Void> onboarding(ConsumerRecords<String, byte[]> records) {
        return consume(records);
    }

    @Incoming("agent-events")
    public Uni<Void> agent(ConsumerRecords<String, byte[]> records) {
        return consume(records);
    }

    private Uni<Void> consume(ConsumerRecords<String, byte[]> records) {
        List<AuditService.Inbound> readable = new ArrayList<>(records.count());
        List<ConsumerRecord<String, byte[]>> origins = new ArrayList<>(records.count());
        List<DeadLetters.Rejected> rejected = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> record : records) {
            try {
                EventEnvelope envelope = InboundEvents.envelope(record);
                readable.add(audit.prepare(
                        envelope,
                        CloudEventCodec.decode(envelope),
                        new AuditService.Origin(record.topic(), record.partition(), record.offset())));
                origins.add(record);
            } catch (MalformedEventException | RuntimeException e) {
                // unreadable, or a record this build cannot describe: never block the partition on it
                rejected.add(new DeadLetters.Rejected(record, e.getMessage() == null ? e.toString() : e.getMessage()));
            }
        }
        String what = "storing " + readable.size() + " audit records";
        return Retries.untilStoredOrPoison(what, () -> audit.recordAll(readable))
                .replaceWithVoid()
                .onFailure(Poison::isPoison)
                .recoverWithUni(f -> {
                    LOG.warnf("%s failed with a refused record (%s): storing them one by one", what, Poison.reason(f));
                    Uni<Void> each = Uni.createFrom().voidItem();
                    for (int i = 0; i < readable.size(); i++) {
                        AuditService.Inbound one = readable.get(i);
                        ConsumerRecord<String, byte[]> from = origins.get(i);
                        each = each.flatMap(v -> store(List.of(one))
                                .onFailure(Poison::isPoison)
                                .recoverWithUni(bad -> {
                                    String reason = Poison.reason(bad);
                                    LOG.errorf(
                                            "event %s (%s) cannot be recorded: %s",
                                            one.envelope().id(), one.envelope().type(), reason);
                                    rejected.add(new DeadLetters.Rejected(from, "cannot be recorded: " + reason));
                                    // the chain says so itself: a record naming the event that is missing from it
                                    return store(List.of(audit.refused(one, reason)))
                                            .onFailure(Poison::isPoison)
                                            .recoverWithItem(() -> null);
                                }));
                    }
                    return each;
                })
                .flatMap(v -> deadLetters.send(rejected))
                .onFailure()
                .retry()
                .withBackOff(Duration.ofMillis(500), Duration.ofSeconds(10))
                .indefinitely();
    }

    private Uni<Void> store(List<AuditService.Inbound> events) {
        return Retries.untilStoredOrPoison("storing " + events.size() + " audit record", () -> audit.recordAll(events))
                .replaceWithVoid();
    }
}
