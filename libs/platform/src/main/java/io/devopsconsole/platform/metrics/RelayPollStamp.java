package io.devopsconsole.platform.metrics;

import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerInterceptor;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Stamps each record a consumer's {@code poll} returns with when it returned ({@value RelayHops#POLLED},
 * epoch microseconds), so the wait between the fetch and the consuming method — the connector's queue, the
 * previous batch still being stored, the hand-off to the event loop — is measured apart from the brokers and
 * the fetch ({@code send_to_poll} and {@code poll_to_consume}, issue 24). A Kafka consumer interceptor:
 * {@code interceptor.classes} of the channel.
 */
public final class RelayPollStamp implements ConsumerInterceptor<Object, Object> {

    @Override
    public ConsumerRecords<Object, Object> onConsume(ConsumerRecords<Object, Object> records) {
        if (!records.isEmpty()) {
            byte[] now = Long.toString(RelayHops.nowMicros()).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            for (ConsumerRecord<Object, Object> record : records) {
                record.headers().add(RelayHops.POLLED, now);
            }
        }
        return records;
    }

    @Override
    public void onCommit(Map<TopicPartition, OffsetAndMetadata> offsets) {}

    @Override
    public void close() {}

    @Override
    public void configure(Map<String, ?> configs) {}
}
