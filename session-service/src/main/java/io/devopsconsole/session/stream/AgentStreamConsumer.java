package io.devopsconsole.session.stream;

import io.devopsconsole.events.CloudEventCodec;
import io.devopsconsole.events.DomainEvent;
import io.devopsconsole.events.EventEnvelope;
import io.devopsconsole.events.MalformedEventException;
import io.devopsconsole.events.agent.AgentStreamRecord;
import io.devopsconsole.platform.messaging.DeadLetters;
import io.devopsconsole.platform.messaging.InboundEvents;
import io.devopsconsole.platform.messaging.Retries;
import io.devopsconsole.platform.problem.ResourceNotFoundException;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Consumes the agent stream in batches: records are grouped by session and each session's share
 * are stored in one transaction (see {@link StreamStore#storeAll}): one commit per batch. Unreadable records go to the dead-letter topic;
 * records for a session this service does not know are dropped with a warning (never block).
 */
@ApplicationScoped
public class AgentStreamConsumer {

    private static final Logger LOG = Logger.getLogger(AgentStreamConsumer.class);

    private final StreamStore store;
    private final StreamHub hub;
    private final DeadLetters deadLetters;

    public AgentStreamConsumer(StreamStore store, StreamHub hub, DeadLetters deadLetters) {
        this.store = store;
        this.hub = hub;
        this.deadLetters = deadLetters;
    }

    @Incoming("agent-stream")
    public Uni<Void> consume(ConsumerRecords<String, byte[]> records) {
        Map<UUID, List<AgentStreamRecord>> bySession = new LinkedHashMap<>();
        List<DeadLetters.Rejected> rejected = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> record : records) {
            try {
                EventEnvelope envelope = InboundEvents.envelope(record);
                Optional<DomainEvent> decoded = CloudEventCodec.decode(envelope);
                if (decoded.isEmpty() || !(decoded.get() instanceof AgentStreamRecord r)) {
                    throw new MalformedEventException("not an agent stream record: " + envelope.type());
                }
                bySession.computeIfAbsent(r.sessionId(), k -> new ArrayList<>()).add(r);
            } catch (MalformedEventException | RuntimeException e) {
                rejected.add(new DeadLetters.Rejected(record, e.getMessage() == null ? e.toString() : e.getMessage()));
            }
        }
        if (bySession.isEmpty()) {
            return deadLetters.send(rejected);
        }
        return Retries.onContext("storing " + records.count() + " stream records of " + bySession.size() + " sessions",
                        () -> store.storeAll(bySession), f -> true)
                .invoke(stored -> {
                    // committed: this replica's viewers get the events now, without reading them back
                    stored.entries().forEach(hub::delivered);
                    if (!stored.unknown().isEmpty()) {
                        LOG.warnf("dropped stream records of %d unknown session(s), e.g. %s", stored.unknown().size(),
                                stored.unknown().iterator().next());
                    }
                })
                .flatMap(v -> deadLetters.send(rejected))
                .onFailure().retry().withBackOff(Duration.ofMillis(200), Duration.ofSeconds(5)).indefinitely();
    }
}
