package io.devopsconsole.audit.record;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;

import io.devopsconsole.events.CloudEventCodec;
import io.devopsconsole.events.DomainEvent;
import io.devopsconsole.events.EventEnvelope;
import io.devopsconsole.events.Topics;
import io.devopsconsole.events.registry.ProjectArchived;
import io.devopsconsole.events.registry.ProjectCreated;
import io.devopsconsole.events.registry.ProjectUpdated;
import io.devopsconsole.testkit.KafkaTopics;
import io.devopsconsole.testkit.Sql;
import io.devopsconsole.testkit.TestInfrastructure;
import io.devopsconsole.testkit.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

@QuarkusTest
class AuditIngestTest {

    static String bootstrap() {
        return TestInfrastructure.kafka().bootstrapServers();
    }

    static EventEnvelope publish(DomainEvent event, String actor) {
        EventEnvelope envelope = CloudEventCodec.wrap(
                event,
                "/registry-service",
                actor,
                OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MICROS),
                Map.of());
        publish(envelope);
        return envelope;
    }

    static EventEnvelope publishTo(String topic, DomainEvent event, String actor) {
        EventEnvelope envelope = CloudEventCodec.wrap(
                event, "/test", actor, OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MICROS), Map.of());
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic, envelope.subject(), envelope.data());
        CloudEventCodec.toKafkaHeaders(envelope)
                .forEach((k, v) -> record.headers().add(k, v));
        KafkaTopics.send(bootstrap(), record);
        return envelope;
    }

    static void publish(EventEnvelope envelope) {
        ProducerRecord<String, byte[]> record =
                new ProducerRecord<>(Topics.REGISTRY, envelope.subject(), envelope.data());
        CloudEventCodec.toKafkaHeaders(envelope)
                .forEach((k, v) -> record.headers().add(k, v));
        KafkaTopics.send(bootstrap(), record);
    }

    static long recordsFor(UUID eventId) {
        return Sql.count("SELECT count(*) FROM audit.audit_record WHERE event_id = ?", eventId);
    }

    static ValidatableResponse search(Map<String, ?> query) {
        return given().auth()
                .oauth2(Tokens.viewer())
                .queryParams(query)
                .get("/api/audit/events")
                .then();
    }

    @Test
    void eachDomainEventBecomesOneOperatorFacingRecord() {
        UUID project = UUID.randomUUID();
        publish(new ProjectCreated(project, "web", "Web shop", null, "/srv/web", 0), "olga");
        publish(
                new ProjectUpdated(
                        project,
                        "web",
                        "Web shop",
                        "new",
                        "/srv/web2",
                        1,
                        List.of("description", "default_working_directory")),
                "abe");
        EventEnvelope archived = publish(new ProjectArchived(project, "web", "Web shop", 2), "ada");

        await().atMost(Duration.ofSeconds(30)).until(() -> recordsFor(archived.id()) == 1);

        search(Map.of("resource_type", "project", "resource_id", project.toString()))
                .statusCode(200)
                .body("items", hasSize(3))
                .body("items.action", contains("project.archived", "project.updated", "project.created"))
                .body("items.actor", contains("ada", "abe", "olga"))
                .body("items.resource_name", contains("web", "web", "web"))
                .body("items[0].event_id", equalTo(archived.id().toString()))
                .body("items[0].summary", equalTo("ada archived project web"))
                .body("items[1].summary", equalTo("abe changed description, default_working_directory of project web"))
                .body("items[2].summary", equalTo("olga created project web (\"Web shop\") working in /srv/web"))
                .body("items[2].details.default_working_directory", equalTo("/srv/web"))
                .body("next_cursor", nullValue());
    }

    /** A producer of the test's own (each test sends with the settings it needs). */
    static org.apache.kafka.clients.producer.KafkaProducer<String, byte[]> producer(String setting, Object value) {
        java.util.Properties props = new java.util.Properties();
        props.put("bootstrap.servers", bootstrap());
        props.put(setting, value);
        return new org.apache.kafka.clients.producer.KafkaProducer<>(
                props,
                new org.apache.kafka.common.serialization.StringSerializer(),
                new org.apache.kafka.common.serialization.ByteArraySerializer());
    }

    /** A registry event saying {@code actor} created project {@code slug}, as the registry publishes it. */
    static ProducerRecord<String, byte[]> projectCreated(String actor, String slug) {
        EventEnvelope e = CloudEventCodec.wrap(
                new ProjectCreated(UUID.randomUUID(), slug, "B", null, "/srv/b", 0),
                "/registry-service",
                actor,
                OffsetDateTime.now(ZoneOffset.UTC),
                Map.of());
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(Topics.REGISTRY, e.subject(), e.data());
        CloudEventCodec.toKafkaHeaders(e).forEach((k, v) -> record.headers().add(k, v));
        return record;
    }

    @Test
    void aLargeBacklogIsIngestedInFullBatches() {
        String actor = "backlog-" + UUID.randomUUID().toString().substring(0, 6);
        try (var producer = producer("linger.ms", 20)) {
            for (int i = 0; i < 1500; i++) {
                producer.send(projectCreated(actor, "b-" + i));
            }
        }
        await().atMost(Duration.ofSeconds(60))
                .until(() -> Sql.count("SELECT count(*) FROM audit.audit_record WHERE actor = ?", actor) == 1500);
    }

    /**
     * Events that arrive a moment apart — as a turn start's do — are gathered and recorded together, not in one
     * transaction each on the cores the turn needs (ADR 0036): four events 100 ms apart land in at most two
     * transactions (rows of one transaction share PostgreSQL's {@code xmin}); consumed event by event they would
     * be four.
     */
    @Test
    void eventsOfOneMomentAreRecordedTogether() throws Exception {
        String actor = "moment-" + UUID.randomUUID().toString().substring(0, 6);
        try (var producer = producer("acks", "all")) {
            for (int i = 0; i < 4; i++) {
                producer.send(projectCreated(actor, "m-" + i)).get(30, java.util.concurrent.TimeUnit.SECONDS);
                Thread.sleep(100); // the test's input: events arriving apart, as a turn's do
            }
        }
        await().atMost(Duration.ofSeconds(30))
                .until(() -> Sql.count("SELECT count(*) FROM audit.audit_record WHERE actor = ?", actor) == 4);
        assertThat(Sql.count("SELECT count(DISTINCT xmin::text) FROM audit.audit_record WHERE actor = ?", actor))
                .as("transactions that recorded the four events")
                .isLessThanOrEqualTo(2);
    }

    @Test
    void ingestRateAndPerTopicLagAreExported() {
        EventEnvelope e = publish(new ProjectCreated(UUID.randomUUID(), "metered", "M", null, "/srv/m", 0), "olga");
        await().atMost(Duration.ofSeconds(30)).until(() -> recordsFor(e.id()) == 1);
        String metrics = io.restassured.RestAssured.given()
                .get("/q/metrics")
                .then()
                .statusCode(200)
                .extract()
                .asString();
        assertThat(metrics)
                .contains("audit_events_recorded_total")
                // one consumer client per domain topic, so the client's lag is the topic's lag
                .containsPattern(
                        "kafka_consumer_fetch_manager_records_lag_max\\{client_id=\"kafka-consumer-registry-events\"");
    }

    @Test
    void aRedeliveredEventLeavesOneRecord() {
        UUID project = UUID.randomUUID();
        EventEnvelope once = publish(new ProjectCreated(project, "dup", "Dup", null, "/srv/dup", 0), "olga");
        publish(once); // the same CloudEvent again, as after a relay crash between publish and commit
        publish(once);
        EventEnvelope marker = publish(new ProjectArchived(project, "dup", "Dup", 1), "olga");

        // same key, same partition: once the marker is recorded, both redeliveries have been consumed
        await().atMost(Duration.ofSeconds(30)).until(() -> recordsFor(marker.id()) == 1);
        assertThat(recordsFor(once.id())).isEqualTo(1);
        // and it was published to console.audit.v1 once, not once per delivery
        assertThat(Sql.count(
                        "SELECT count(*) FROM audit.audit_record WHERE event_id = ? AND seq <= "
                                + "(SELECT last_seq FROM audit.audit_publication)",
                        once.id()))
                .isEqualTo(1);
    }

    @Test
    void unreadableRecordsGoToTheDeadLetterTopicAndConsumptionContinues() {
        String key = UUID.randomUUID().toString();
        ProducerRecord<String, byte[]> garbage =
                new ProducerRecord<>(Topics.REGISTRY, key, "not a cloud event".getBytes(StandardCharsets.UTF_8));
        KafkaTopics.send(bootstrap(), garbage);
        UUID project = UUID.fromString(key);
        EventEnvelope brokenData = new EventEnvelope(
                UUID.randomUUID(),
                "/registry-service",
                ProjectCreated.TYPE,
                key,
                OffsetDateTime.now(ZoneOffset.UTC),
                "eve",
                Map.of(),
                "{\"project_id\":".getBytes(StandardCharsets.UTF_8));
        publish(brokenData);
        EventEnvelope marker = publish(new ProjectArchived(project, "after", "After", 0), "olga");

        await().atMost(Duration.ofSeconds(30)).until(() -> recordsFor(marker.id()) == 1);
        assertThat(recordsFor(brokenData.id())).isZero();
        List<ConsumerRecord<String, byte[]>> dead = await().atMost(Duration.ofSeconds(30))
                .until(
                        () -> KafkaTopics.readAll(bootstrap(), Topics.DEAD_LETTER).stream()
                                .filter(r -> key.equals(r.key()))
                                .toList(),
                        l -> l.size() == 2);
        assertThat(dead)
                .extracting(r ->
                        new String(r.headers().lastHeader("dead-letter-reason").value(), StandardCharsets.UTF_8))
                .allSatisfy(reason -> assertThat(reason).isNotBlank());
    }

    @Test
    void unknownEventTypesFromNewerProducersAreStillAudited() {
        String subject = UUID.randomUUID().toString();
        EventEnvelope future = new EventEnvelope(
                UUID.randomUUID(),
                "/registry-service",
                "io.devopsconsole.registry.widget.polished.v1",
                subject,
                OffsetDateTime.now(ZoneOffset.UTC),
                "olga",
                Map.of(),
                "{\"shine\":11}".getBytes(StandardCharsets.UTF_8));
        publish(future);
        await().atMost(Duration.ofSeconds(30)).until(() -> recordsFor(future.id()) == 1);
        search(Map.of("resource_id", subject))
                .body("items[0].action", equalTo("widget.polished"))
                .body("items[0].resource_type", equalTo("widget"))
                .body("items[0].details.shine", equalTo(11));
    }

    @Test
    void searchFiltersByActorAndTimeAndPagesWithACursor() {
        String actor = "pager-" + UUID.randomUUID().toString().substring(0, 6);
        EventEnvelope last = null;
        for (int i = 0; i < 5; i++) {
            last = publish(new ProjectCreated(UUID.randomUUID(), "pg-" + i, "P" + i, null, "/srv/p", 0), actor);
        }
        EventEnvelope lastOne = last;
        await().atMost(Duration.ofSeconds(30)).until(() -> recordsFor(lastOne.id()) == 1);
        await().atMost(Duration.ofSeconds(30))
                .until(() -> Sql.count("SELECT count(*) FROM audit.audit_record WHERE actor = ?", actor) == 5);

        String cursor = search(Map.of("actor", actor, "limit", 2))
                .statusCode(200)
                .body("items", hasSize(2))
                .body("items[0].resource_name", equalTo("pg-4"))
                .extract()
                .path("next_cursor");
        String cursor2 = search(Map.of("actor", actor, "limit", 2, "cursor", cursor))
                .body("items", hasSize(2))
                .body("items.resource_name", contains("pg-2", "pg-1"))
                .extract()
                .path("next_cursor");
        search(Map.of("actor", actor, "limit", 2, "cursor", cursor2))
                .body("items.resource_name", contains("pg-0"))
                .body("next_cursor", nullValue());

        search(Map.of(
                        "actor",
                        actor,
                        "from",
                        OffsetDateTime.now(ZoneOffset.UTC).plusHours(1).toString()))
                .body("items", hasSize(0));
        search(Map.of(
                        "actor",
                        actor,
                        "to",
                        OffsetDateTime.now(ZoneOffset.UTC).plusHours(1).toString()))
                .body("items", hasSize(5));
    }

    @Test
    void badQueriesAre400ProblemJsonNamingTheParameter() {
        search(Map.of("limit", 0))
                .statusCode(400)
                .contentType("application/problem+json")
                .body("errors.field", contains("limit"));
        search(Map.of("cursor", "abc")).statusCode(400).body("errors.field", contains("cursor"));
        search(Map.of("from", "yesterday"))
                .statusCode(400)
                .contentType("application/problem+json")
                .body("errors.field", contains("from"));
        search(Map.of("limit", "ten")).statusCode(400).body("errors.field", contains("limit"));
        search(Map.of("from", "2026-01-02T00:00:00Z", "to", "2026-01-01T00:00:00Z"))
                .statusCode(400)
                .body("errors.field", contains("to"));
    }

    @Test
    void aDatabaseFailureIsRetriedInPlaceUntilTheRecordIsStored() {
        // the database refuses the service for a while (not the record): as an outage or a broken grant would
        Sql.execute("REVOKE INSERT ON audit.audit_record FROM " + io.devopsconsole.audit.TestInfra.RUNTIME_ROLE);
        EventEnvelope e;
        try {
            e = publish(new ProjectCreated(UUID.randomUUID(), "retried", "R", null, "/srv/r", 0), "retry-me");
            // the consumer keeps retrying (with back-off) and records nothing while the failure lasts
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> recordsFor(e.id()) == 0);
        } finally {
            Sql.execute("GRANT INSERT ON audit.audit_record TO " + io.devopsconsole.audit.TestInfra.RUNTIME_ROLE);
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> recordsFor(e.id()) == 1);
        // retried, never dead-lettered: the event itself was fine
        assertThat(KafkaTopics.readAll(bootstrap(), Topics.DEAD_LETTER).stream()
                        .filter(r -> r.headers().lastHeader("ce_id") != null)
                        .map(r -> new String(r.headers().lastHeader("ce_id").value(), StandardCharsets.UTF_8)))
                .doesNotContain(e.id().toString());
    }

    @Test
    void theAuditTableRefusesUpdatesAndDeletes() {
        EventEnvelope e = publish(new ProjectCreated(UUID.randomUUID(), "immutable", "I", null, "/srv/i", 0), "olga");
        await().atMost(Duration.ofSeconds(30)).until(() -> recordsFor(e.id()) == 1);
        assertThatThrownBy(() -> Sql.rows(
                        "UPDATE audit.audit_record SET actor = 'mallory' WHERE event_id = ? RETURNING 1", e.id()))
                .hasStackTraceContaining("append-only");
        assertThatThrownBy(() -> Sql.rows("DELETE FROM audit.audit_record WHERE event_id = ? RETURNING 1", e.id()))
                .hasStackTraceContaining("append-only");
        assertThat(recordsFor(e.id())).isEqualTo(1);
    }
}
