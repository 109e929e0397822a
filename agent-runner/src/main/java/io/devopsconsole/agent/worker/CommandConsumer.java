package io.devopsconsole.agent.worker;

import io.devopsconsole.events.CloudEventCodec;
import io.devopsconsole.events.DomainEvent;
import io.devopsconsole.events.MalformedEventException;
import io.devopsconsole.events.agent.AgentCommand;
import io.devopsconsole.platform.messaging.DeadLetters;
import io.devopsconsole.platform.messaging.InboundEvents;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Commands from session-service on {@code console.agent.commands.v1} (key = session id): the
 * instance that owns a session's partition receives all of its commands, in order, and hands each
 * to that session's driver (which works through them one at a time on its own thread).
 * Unreadable records go to the dead-letter topic.
 */
@ApplicationScoped
public class CommandConsumer {

    private final Drivers drivers;
    private final DeadLetters deadLetters;

    public CommandConsumer(Drivers drivers, DeadLetters deadLetters) {
        this.drivers = drivers;
        this.deadLetters = deadLetters;
    }

    @Incoming("agent-commands")
    public Uni<Void> consume(ConsumerRecords<String, byte[]> records) {
        List<DeadLetters.Rejected> rejected = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> record : records) {
            try {
                var envelope = InboundEvents.envelope(record);
                Optional<DomainEvent> decoded = CloudEventCodec.decode(envelope);
                if (decoded.isEmpty() || !(decoded.get() instanceof AgentCommand command)) {
                    throw new MalformedEventException("not an agent command");
                }
                // the turn continues the trace of the operator's request (ce_traceparent / traceparent)
                drivers.submit(
                        command, envelope.id(), io.devopsconsole.platform.tracing.Traces.fromHeaders(record.headers()));
            } catch (MalformedEventException | RuntimeException e) {
                rejected.add(new DeadLetters.Rejected(record, e.getMessage() == null ? e.toString() : e.getMessage()));
            }
        }
        return deadLetters.send(rejected);
    }
}
