package io.devopsconsole.agent.worker;

import io.devopsconsole.events.Topics;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.kafka.KafkaConsumerRebalanceListener;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Collection;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;

/**
 * Partition ownership of {@code console.agent.commands.v1} is session ownership: Kafka's group
 * rebalances (an instance started, stopped or died) tell {@link Drivers} which sessions to take
 * over and which to hand over.
 */
@ApplicationScoped
@Identifier("agent-ownership")
public class Ownership implements KafkaConsumerRebalanceListener {

    private final Drivers drivers;

    public Ownership(Drivers drivers) {
        this.drivers = drivers;
    }

    @Override
    public void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        int count = consumer.partitionsFor(Topics.AGENT_COMMANDS).size();
        drivers.assigned(partitions, count);
    }

    @Override
    public void onPartitionsRevoked(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        drivers.revoked(partitions);
    }

    @Override
    public void onPartitionsLost(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        drivers.revoked(partitions);
    }
}
