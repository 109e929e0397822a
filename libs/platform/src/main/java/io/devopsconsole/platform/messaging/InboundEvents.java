package io.devopsconsole.platform.messaging;

import io.devopsconsole.events.CloudEventCodec;
import io.devopsconsole.events.EventEnvelope;
import io.devopsconsole.events.MalformedEventException;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * Reads CloudEvents off Kafka records. A record that is not a readable CloudEvent raises
 * {@link MalformedEventException}; consumers hand such records to {@link DeadLetters}, which
 * moves them to {@code console.deadletter.v1} with the reason in headers, instead of blocking the
 * partition or dropping them silently.
 */
public final class InboundEvents {

    private InboundEvents() {}

    public static EventEnvelope envelope(ConsumerRecord<String, byte[]> record) throws MalformedEventException {
        List<Map.Entry<String, byte[]>> headers = new ArrayList<>();
        for (Header header : record.headers()) {
            headers.add(new AbstractMap.SimpleImmutableEntry<>(header.key(), header.value()));
        }
        EventEnvelope envelope = CloudEventCodec.fromKafka(headers, record.value());
        if (record.key() != null && !record.key().equals(envelope.subject())) {
            throw new MalformedEventException(
                    "record key " + record.key() + " differs from ce_subject " + envelope.subject());
        }
        return envelope;
    }
}
