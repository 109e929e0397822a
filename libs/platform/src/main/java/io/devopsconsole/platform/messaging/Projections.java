package io.devopsconsole.platform.messaging;

import io.devopsconsole.events.CloudEventCodec;
import io.devopsconsole.events.DomainEvent;
import io.devopsconsole.events.MalformedEventException;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Keeping a local projection of another service's events (read models such as the targets and
 * profiles a service needs from the registry): a batch is decoded, events this service does not
 * read are skipped (logged at debug), and the rest are applied one after another in batch order,
 * each retried in place on failure, so a projection never skips an event it could apply. The
 * apply function must be idempotent (versioned upserts), since redeliveries happen.
 */
public final class Projections {

    private Projections() {
    }

    public static Uni<Void> apply(ConsumerRecords<String, byte[]> records, Function<DomainEvent, Uni<Void>> apply, Logger log) {
        List<DomainEvent> events = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> record : records) {
            try {
                CloudEventCodec.decode(InboundEvents.envelope(record)).ifPresent(events::add);
            } catch (MalformedEventException | RuntimeException e) {
                log.debugf("%s-%d@%d skipped: %s", record.topic(), record.partition(), record.offset(), e);
            }
        }
        return Multi.createFrom().iterable(events)
                .onItem().transformToUniAndConcatenate(e -> Retries.onContext("projecting " + e.getClass().getSimpleName(),
                        () -> apply.apply(e).replaceWith(Boolean.TRUE), f -> true))
                .collect().last().replaceWithVoid()
                .onFailure().retry().withBackOff(Duration.ofMillis(200), Duration.ofSeconds(5)).indefinitely();
    }
}
