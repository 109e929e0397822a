package io.devopsconsole.audit.record;

import static org.assertj.core.api.Assertions.assertThat;

import io.devopsconsole.events.CloudEventCodec;
import io.devopsconsole.events.DomainEvent;
import io.devopsconsole.events.EventCatalog;
import io.devopsconsole.events.EventEnvelope;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Every catalogued event type has its own operator-facing sentence. */
class SummariesTest {

    @Test
    void everyCataloguedEventHasASentenceNamingTheActor() throws Exception {
        List<String> missing = new ArrayList<>();
        for (EventCatalog.Entry entry : EventCatalog.entries()) {
            if (entry.topic().equals(io.devopsconsole.events.Topics.AUDIT)
                    || entry.topic().equals(io.devopsconsole.events.Topics.AGENT_COMMANDS)
                    || entry.topic().equals(io.devopsconsole.events.Topics.AGENT_STREAM)
                    || entry.topic().equals(io.devopsconsole.events.Topics.AGENT_PRESENCE)
                    || entry.topic().equals(io.devopsconsole.events.Topics.SESSION_LOGS)) {
                continue; // audit's own output, and topics audit does not consume
            }
            DomainEvent event = (DomainEvent) sample(entry.recordClass());
            EventEnvelope envelope =
                    CloudEventCodec.wrap(event, "/test", "olga", OffsetDateTime.now(ZoneOffset.UTC), Map.of());
            try {
                String summary = Summaries.of(envelope, Optional.of(event));
                assertThat(summary).as(entry.type()).isNotBlank().doesNotContain(entry.type());
            } catch (IllegalStateException e) {
                missing.add(entry.type());
            }
        }
        assertThat(missing).as("event types without an audit sentence").isEmpty();
    }

    @Test
    void aCallMadeThroughTheCoordinatorSaysSoAndInWhichConversation() throws Exception {
        DomainEvent event = (DomainEvent) sample(io.devopsconsole.events.onboarding.HostWorkflowChanged.class);
        UUID conversation = UUID.randomUUID();
        EventEnvelope through = CloudEventCodec.wrap(
                event,
                "/test",
                "olga",
                OffsetDateTime.now(ZoneOffset.UTC),
                Map.of("via", "coordinator:" + conversation));
        assertThat(Summaries.of(through, Optional.of(event)))
                .endsWith(" — through the coordinator, conversation " + conversation)
                .contains("olga");
        EventEnvelope direct =
                CloudEventCodec.wrap(event, "/test", "olga", OffsetDateTime.now(ZoneOffset.UTC), Map.of());
        assertThat(Summaries.of(direct, Optional.of(event))).doesNotContain("coordinator");
    }

    /** A record instance with a plausible value in every component (nested records too). */
    private static Object sample(Class<?> type) throws Exception {
        RecordComponent[] components = type.getRecordComponents();
        Object[] values = new Object[components.length];
        Class<?>[] types = new Class<?>[components.length];
        for (int i = 0; i < components.length; i++) {
            types[i] = components[i].getType();
            values[i] = value(components[i].getType(), components[i].getGenericType());
        }
        return type.getDeclaredConstructor(types).newInstance(values);
    }

    private static Object value(Class<?> type, Type generic) throws Exception {
        if (type == String.class) {
            return "x";
        }
        if (type == UUID.class) {
            return UUID.randomUUID();
        }
        if (type == long.class || type == int.class || type == Long.class || type == Integer.class) {
            return type == long.class || type == Long.class ? (Object) 1L : (Object) 1;
        }
        if (type == boolean.class) {
            return false;
        }
        if (type == com.fasterxml.jackson.databind.JsonNode.class) {
            return io.devopsconsole.events.EventJson.mapper().createObjectNode();
        }
        if (type.isEnum()) {
            return type.getEnumConstants()[0];
        }
        if (type == OffsetDateTime.class) {
            return OffsetDateTime.now(ZoneOffset.UTC);
        }
        if (type == List.class) {
            Type element = ((ParameterizedType) generic).getActualTypeArguments()[0];
            return element == String.class ? List.of("field") : List.of(sample((Class<?>) element));
        }
        if (type.isRecord()) {
            return sample(type);
        }
        throw new IllegalArgumentException("no sample for " + type);
    }
}
