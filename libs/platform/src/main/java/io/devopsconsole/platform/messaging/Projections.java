package io.devopsconsole.platform.messaging;

import io.devopsconsole.events.CloudEventCodec;
import io.devopsconsole.events.DomainEvent;
import io.devopsconsole.events.MalformedEventException;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.jboss.logging.Logger;

/**
 * Keeping a local projection of another service's events (read models such as the targets and
 * profiles a service needs from the registry): a batch is decoded, events this service does not
 * read are skipped (logged at debug), and the rest are applied one after another in batch order,
 * each retried in place while the failure is transient, so a projection never skips an event it
 * could apply. An event whose data is refused ({@link Poison}) is tried a few times, then moved to
 * the dead-letter topic with the reason, and the projection goes on with the next (ADR 0014). The
 * apply function must be idempotent (versioned upserts), since redeliveries happen.
 */
public final class Projections {

    private Projections() {}

    public static Uni<Void> apply(
            ConsumerRecords<String, byte[]> records,
            Function<DomainEvent, Uni<Void>> apply,
            Logger log,
            DeadLetters deadLetters) {
        List<Map.Entry<DomainEvent, ConsumerRecord<String, byte[]>>> events = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> record : records) {
            try {
                CloudEventCodec.decode(InboundEvents.envelope(record)).ifPresent(e -> events.add(Map.entry(e, record)));
            } catch (MalformedEventException | RuntimeException e) {
                log.debugf("%s-%d@%d skipped: %s", record.topic(), record.partition(), record.offset(), e);
            }
        }
        List<DeadLetters.Rejected> rejected = new ArrayList<>();
        return Multi.createFrom()
                .iterable(events)
                .onItem()
                .transformToUniAndConcatenate(e -> Retries.untilStoredOrPoison(
                                "projecting " + e.getKey().getClass().getSimpleName(),
                                () -> apply.apply(e.getKey()).replaceWith(Boolean.TRUE))
                        .onFailure(Poison::isPoison)
                        .recoverWithItem(f -> {
                            ConsumerRecord<String, byte[]> r = e.getValue();
                            log.errorf(
                                    "%s-%d@%d (%s) cannot be projected, moved to the dead-letter topic: %s",
                                    r.topic(),
                                    r.partition(),
                                    r.offset(),
                                    e.getKey().getClass().getSimpleName(),
                                    Poison.reason(f));
                            rejected.add(new DeadLetters.Rejected(r, "cannot be projected: " + Poison.reason(f)));
                            return Boolean.FALSE;
                        }))
                .collect()
                .last()
                .flatMap(v -> deadLetters.send(List.copyOf(rejected)))
                .onFailure()
                .retry()
                .withBackOff(Duration.ofMillis(200), Duration.ofSeconds(5))
                .indefinitely();
    }
}
