package io.devopsconsole.events;

import com.fasterxml.jackson.databind.JsonNode;
import io.devopsconsole.events.registry.ProjectArchived;
import io.devopsconsole.events.registry.ProjectCreated;
import io.devopsconsole.events.registry.ProjectUpdated;
import io.devopsconsole.events.registry.RegistryEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Pins the JSON of every event type: a change to a record that alters its JSON fails here and
 * has to be a conscious new version (".v2"), not an accident that breaks readers.
 */
class EventSnapshotTest {

    static final UUID PROJECT = UUID.fromString("7f0b8a5e-2a7c-4d8e-9a41-0c3f5e6d7a81");

    /** One sample of every catalogued event type. */
    static Stream<DomainEvent> samples() {
        return Stream.of(
                new ProjectCreated(PROJECT, "payments-api", "Payments API", "Card processing",
                        "/srv/projects/payments-api", 0),
                new ProjectUpdated(PROJECT, "payments-api", "Payments API v2", "Card processing",
                        "/srv/projects/payments", 1, List.of("name", "default_working_directory")),
                new ProjectArchived(PROJECT, "payments-api", "Payments API v2", 2));
    }

    @ParameterizedTest
    @MethodSource("samples")
    void eventJsonMatchesItsSnapshot(DomainEvent event) throws IOException {
        String type = EventCatalog.of(event).type();
        JsonNode actual = EventJson.mapper().readTree(CloudEventCodec.toJson(event));
        JsonNode expected;
        try (InputStream in = getClass().getResourceAsStream("/snapshots/" + type + ".json")) {
            assertThat(in).as("snapshot file for " + type).isNotNull();
            expected = EventJson.mapper().readTree(in);
        }
        assertThat(actual).isEqualTo(expected);
    }

    @ParameterizedTest
    @MethodSource("samples")
    void snapshotParsesBackToTheSameRecord(DomainEvent event) throws IOException {
        String type = EventCatalog.of(event).type();
        try (InputStream in = getClass().getResourceAsStream("/snapshots/" + type + ".json")) {
            Object parsed = EventJson.mapper().readValue(in, event.getClass());
            assertThat(parsed).isEqualTo(event);
        }
    }

    @Test
    void everyPermittedRegistryEventIsCataloguedSampledAndNamedByConvention() {
        Set<Class<?>> permitted = Arrays.stream(RegistryEvent.class.getPermittedSubclasses())
                .flatMap(c -> c.isSealed() ? Arrays.stream(c.getPermittedSubclasses()) : Stream.of(c))
                .collect(Collectors.toSet());
        assertThat(permitted).isNotEmpty().allMatch(Class::isRecord);
        Set<Class<?>> sampled = samples().map(Object::getClass).collect(Collectors.toSet());
        assertThat(sampled).containsAll(permitted);
        for (Class<?> c : permitted) {
            String type = StreamSupport.stream(EventCatalog.entries().spliterator(), false)
                    .filter(e -> e.recordClass() == c).findFirst().orElseThrow().type();
            assertThat(type).matches("io\\.devopsconsole\\.registry\\.[a-z_]+\\.[a-z_]+\\.v[0-9]+");
            assertThat(EventCatalog.byType(type).orElseThrow().topic()).isEqualTo(Topics.REGISTRY);
        }
    }

    @Test
    void typeNamesAreUnique() {
        List<String> types = StreamSupport.stream(EventCatalog.entries().spliterator(), false)
                .map(EventCatalog.Entry::type).toList();
        assertThat(types).doesNotHaveDuplicates();
    }
}
