package io.devopsconsole.platform.messaging;

import io.devopsconsole.events.Topics;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Moves records a consumer cannot read to {@code console.deadletter.v1}, unchanged, with why and
 * where from in {@code dead-letter-*} headers, so one bad record neither blocks its partition nor
 * disappears. Consumers call it before acknowledging the batch that held the records.
 */
@ApplicationScoped
public class DeadLetters {

    private static final Logger LOG = Logger.getLogger(DeadLetters.class);

    private final KafkaClients kafka;
    private final String consumer;
    private final MeterRegistry meters;
    private KafkaProducer<String, byte[]> producer;

    /** A record and the reason it cannot be read. */
    public record Rejected(ConsumerRecord<String, byte[]> record, String reason) {}

    public DeadLetters(
            KafkaClients kafka,
            @ConfigProperty(name = "quarkus.application.name") String serviceName,
            MeterRegistry meters) {
        this.kafka = kafka;
        this.consumer = serviceName;
        this.meters = meters;
    }

    /** Publishes the rejected records (on a worker thread) and completes once the broker has them all. */
    public Uni<Void> send(List<Rejected> rejected) {
        if (rejected.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return Uni.createFrom()
                .item(() -> {
                    publish(rejected);
                    return (Void) null;
                })
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }

    private void publish(List<Rejected> rejected) {
        try {
            KafkaProducer<String, byte[]> kafka = producer();
            List<Future<?>> acks = new java.util.ArrayList<>();
            for (Rejected r : rejected) {
                ConsumerRecord<String, byte[]> in = r.record();
                ProducerRecord<String, byte[]> out = new ProducerRecord<>(Topics.DEAD_LETTER, in.key(), in.value());
                for (Header h : in.headers()) {
                    out.headers().add(h.key(), h.value());
                }
                out.headers().add("dead-letter-reason", utf8(r.reason()));
                out.headers().add("dead-letter-topic", utf8(in.topic()));
                out.headers().add("dead-letter-partition", utf8(Integer.toString(in.partition())));
                out.headers().add("dead-letter-offset", utf8(Long.toString(in.offset())));
                out.headers().add("dead-letter-consumer", utf8(consumer));
                acks.add(kafka.send(out));
                LOG.warnf(
                        "record %s-%d@%d moved to %s: %s",
                        in.topic(), in.partition(), in.offset(), Topics.DEAD_LETTER, r.reason());
            }
            for (Future<?> ack : acks) {
                ack.get(30, TimeUnit.SECONDS);
            }
            meters.counter("messaging.dead.letters", "consumer", consumer).increment(rejected.size());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while dead-lettering", e);
        } catch (Exception e) {
            closeProducer();
            throw new IllegalStateException("could not publish to " + Topics.DEAD_LETTER, e);
        }
    }

    private synchronized KafkaProducer<String, byte[]> producer() {
        if (producer == null) {
            Properties props = kafka.properties(consumer + "-dead-letters");
            props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
            props.put(ProducerConfig.ACKS_CONFIG, "all");
            props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
            producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
        }
        return producer;
    }

    private synchronized void closeProducer() {
        if (producer != null) {
            producer.close(Duration.ZERO);
            producer = null;
        }
    }

    void stop(@Observes ShutdownEvent event) {
        closeProducer();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
