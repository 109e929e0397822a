package io.devopsconsole.registry.project;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.devopsconsole.events.Topics;
import io.devopsconsole.testkit.KafkaTopics;
import io.devopsconsole.testkit.Sql;
import io.devopsconsole.testkit.TestInfrastructure;
import io.devopsconsole.testkit.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The outbox delivers every committed event to Kafka exactly once from the consumer's point of view. */
@QuarkusTest
class OutboxDeliveryTest {

    @AfterEach
    void brokerBack() {
        TestInfrastructure.kafka().start();
    }

    @Test
    void anEventIsPublishedPromptlyWithCloudEventHeaders() {
        String id = createProject();
        List<ConsumerRecord<String, byte[]>> records =
                await().atMost(Duration.ofSeconds(20)).until(() -> recordsFor(id), r -> r.size() == 1);
        ConsumerRecord<String, byte[]> record = records.get(0);
        assertThat(record.key()).isEqualTo(id);
        assertThat(header(record, "ce_type")).isEqualTo("io.devopsconsole.registry.project.created.v1");
        assertThat(header(record, "ce_source")).isEqualTo("/registry-service");
        assertThat(header(record, "ce_actor")).isEqualTo("olga-operator");
        assertThat(header(record, "ce_specversion")).isEqualTo("1.0");
        assertThat(new String(record.value(), StandardCharsets.UTF_8)).contains("\"project_id\":\"" + id + "\"");
        await().atMost(Duration.ofSeconds(10))
                .until(() -> Sql.count(
                                "SELECT count(*) FROM registry.outbox_event WHERE message_key = ? AND sent_at IS NOT NULL",
                                id)
                        == 1);
    }

    @Test
    void anEventWrittenWhileTheBrokerIsDownIsDeliveredOnceAfterItStarts() {
        TestInfrastructure.kafka().stop();

        String id = createProject(); // the write itself succeeds without the broker
        await().during(Duration.ofSeconds(2))
                .atMost(Duration.ofSeconds(5))
                .until(() -> Sql.count(
                                "SELECT count(*) FROM registry.outbox_event WHERE message_key = ? AND sent_at IS NULL",
                                id)
                        == 1);

        TestInfrastructure.kafka().start();

        await().atMost(Duration.ofSeconds(60))
                .until(() -> Sql.count(
                                "SELECT count(*) FROM registry.outbox_event WHERE message_key = ? AND sent_at IS NOT NULL",
                                id)
                        == 1);
        List<ConsumerRecord<String, byte[]>> records = recordsFor(id);
        assertThat(records).hasSize(1);
        String eventId = header(records.get(0), "ce_id");
        assertThat(Sql.rows("SELECT event_id::text AS id FROM registry.outbox_event WHERE message_key = ?", id))
                .extracting(r -> r.get("id"))
                .containsExactly(eventId);
    }

    private static String createProject() {
        String slug = "ob-" + UUID.randomUUID().toString().substring(0, 8);
        return given().auth()
                .oauth2(Tokens.operator())
                .contentType(ContentType.JSON)
                .body(Map.of("slug", slug, "name", "Outbox " + slug, "default_working_directory", "/srv/" + slug))
                .post("/api/projects")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
    }

    private static List<ConsumerRecord<String, byte[]>> recordsFor(String id) {
        return KafkaTopics.readAll(TestInfrastructure.kafka().bootstrapServers(), Topics.REGISTRY).stream()
                .filter(r -> id.equals(r.key()))
                .toList();
    }

    private static String header(ConsumerRecord<String, byte[]> record, String name) {
        return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }
}
