package io.devopsconsole.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.devopsconsole.events.registry.ProjectArchived;
import io.devopsconsole.events.registry.ProjectCreated;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class CloudEventCodecTest {

    static final OffsetDateTime TIME = OffsetDateTime.of(2026, 11, 22, 10, 15, 30, 123_000_000, ZoneOffset.UTC);
    final ProjectCreated created = new ProjectCreated(UUID.randomUUID(), "infra", "Infra", null, "/srv/infra", 0);

    @Test
    void binaryModeHeadersCarryEveryAttributeAndTheActor() {
        EventEnvelope envelope =
                CloudEventCodec.wrap(created, "/registry-service", "alice", TIME, Map.of("risk", "benign"));
        Map<String, byte[]> headers = CloudEventCodec.toKafkaHeaders(envelope);

        assertThat(headers.keySet())
                .containsExactly(
                        "ce_specversion",
                        "ce_id",
                        "ce_source",
                        "ce_type",
                        "ce_subject",
                        "ce_time",
                        "ce_actor",
                        "ce_risk",
                        "content-type");
        assertThat(text(headers, "ce_type")).isEqualTo("io.devopsconsole.registry.project.created.v1");
        assertThat(text(headers, "ce_subject")).isEqualTo(created.projectId().toString());
        assertThat(text(headers, "ce_actor")).isEqualTo("alice");
        assertThat(text(headers, "content-type")).isEqualTo("application/json");
    }

    @Test
    void roundTripThroughKafkaHeadersGivesTheSameEnvelopeAndRecord() throws Exception {
        EventEnvelope envelope =
                CloudEventCodec.wrap(created, "/registry-service", "alice", TIME, Map.of("sessionid", "s-1"));
        EventEnvelope back =
                CloudEventCodec.fromKafka(asList(CloudEventCodec.toKafkaHeaders(envelope)), envelope.data());

        assertThat(back).isEqualTo(envelope);
        assertThat(back.extensions()).containsEntry("sessionid", "s-1");
        assertThat(CloudEventCodec.decode(back)).contains(created);
    }

    @Test
    void unknownTypeIsReadableButNotDecoded() throws Exception {
        EventEnvelope future = new EventEnvelope(
                UUID.randomUUID(),
                "/other",
                "io.devopsconsole.registry.thing.made.v9",
                "x",
                TIME,
                "bob",
                Map.of(),
                "{}".getBytes(StandardCharsets.UTF_8));
        EventEnvelope back = CloudEventCodec.fromKafka(asList(CloudEventCodec.toKafkaHeaders(future)), future.data());
        assertThat(CloudEventCodec.decode(back)).isEmpty();
    }

    @Test
    void recordsThatAreNotCloudEventsAreMalformed() {
        assertThatThrownBy(() -> CloudEventCodec.fromKafka(List.of(), "{}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(MalformedEventException.class)
                .hasMessageContaining("specversion");

        EventEnvelope envelope = CloudEventCodec.wrap(created, "/registry-service", "alice", TIME, Map.of());
        Map<String, byte[]> headers = CloudEventCodec.toKafkaHeaders(envelope);
        headers.remove("ce_actor");
        assertThatThrownBy(() -> CloudEventCodec.fromKafka(asList(headers), envelope.data()))
                .isInstanceOf(MalformedEventException.class)
                .hasMessageContaining("ce_actor");
    }

    @Test
    void knownTypeWithBrokenDataOrWrongSubjectIsMalformed() {
        EventEnvelope broken = new EventEnvelope(
                UUID.randomUUID(),
                "/registry-service",
                ProjectArchived.TYPE,
                "x",
                TIME,
                "bob",
                Map.of(),
                "{not json".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> CloudEventCodec.decode(broken)).isInstanceOf(MalformedEventException.class);

        EventEnvelope envelope = CloudEventCodec.wrap(created, "/registry-service", "alice", TIME, Map.of());
        EventEnvelope wrongSubject = new EventEnvelope(
                envelope.id(),
                envelope.source(),
                envelope.type(),
                UUID.randomUUID().toString(),
                TIME,
                "alice",
                Map.of(),
                envelope.data());
        assertThatThrownBy(() -> CloudEventCodec.decode(wrongSubject))
                .isInstanceOf(MalformedEventException.class)
                .hasMessageContaining("subject");
    }

    @Test
    void extensionNamesFollowTheCloudEventsRules() {
        assertThatThrownBy(() -> CloudEventCodec.toKafkaHeaders(
                        CloudEventCodec.wrap(created, "/r", "a", TIME, Map.of("Bad-Name", "x"))))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CloudEventCodec.toKafkaHeaders(
                        CloudEventCodec.wrap(created, "/r", "a", TIME, Map.of("id", "x"))))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static String text(Map<String, byte[]> headers, String name) {
        return new String(headers.get(name), StandardCharsets.UTF_8);
    }

    private static List<Map.Entry<String, byte[]>> asList(Map<String, byte[]> headers) {
        List<Map.Entry<String, byte[]>> list = new ArrayList<>();
        headers.forEach((k, v) -> list.add(new AbstractMap.SimpleEntry<>(k, v)));
        return list;
    }
}
