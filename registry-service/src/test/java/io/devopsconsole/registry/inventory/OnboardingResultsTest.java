package io.devopsconsole.registry.inventory;

import static io.devopsconsole.registry.inventory.Api.*;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.devopsconsole.events.CloudEventCodec;
import io.devopsconsole.events.DomainEvent;
import io.devopsconsole.events.EventEnvelope;
import io.devopsconsole.events.Topics;
import io.devopsconsole.events.onboarding.CodexReadinessObserved;
import io.devopsconsole.events.onboarding.HostKeyTrustConfirmed;
import io.devopsconsole.testkit.KafkaTopics;
import io.devopsconsole.testkit.TestInfrastructure;
import io.devopsconsole.testkit.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/** Onboarding's results arrive on console.onboarding.v1 and update the inventory, once. */
@QuarkusTest
class OnboardingResultsTest {

    static EventEnvelope publish(DomainEvent event) {
        EventEnvelope envelope = CloudEventCodec.wrap(
                event, "/onboarding-service", "olga", OffsetDateTime.now(ZoneOffset.UTC), Map.of());
        send(envelope);
        return envelope;
    }

    static void send(EventEnvelope envelope) {
        ProducerRecord<String, byte[]> record =
                new ProducerRecord<>(Topics.ONBOARDING, envelope.subject(), envelope.data());
        CloudEventCodec.toKafkaHeaders(envelope)
                .forEach((k, v) -> record.headers().add(k, v));
        KafkaTopics.send(TestInfrastructure.kafka().bootstrapServers(), record);
    }

    static Map<String, Object> target(String id) {
        return given().auth()
                .oauth2(Tokens.viewer())
                .get("/api/ssh-targets/" + id)
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getMap("$");
    }

    @Test
    void aConfirmedHostKeyAndObservedReadinessUpdateTheTargetOnce() throws Exception {
        String id = registerLab(unique("onb"), "192.0.2.80");
        UUID target = UUID.fromString(id);
        String key = ed25519Key();
        EventEnvelope trust =
                publish(new HostKeyTrustConfirmed(target, UUID.randomUUID(), "ssh-ed25519", fingerprint(key), key));
        send(trust); // redelivered
        publish(new CodexReadinessObserved(
                target, UUID.randomUUID(), "installed_but_auth_required", "codex-cli 0.169.0"));
        EventEnvelope ready =
                publish(new CodexReadinessObserved(target, UUID.randomUUID(), "ready", "codex-cli 0.169.0"));
        send(ready); // redelivered

        await().atMost(Duration.ofSeconds(30))
                .until(() -> "ready".equals(target(id).get("codex_status")));
        @SuppressWarnings("unchecked")
        Map<String, Object> hostKey = (Map<String, Object>) target(id).get("trusted_host_key");
        assertThat(hostKey)
                .containsEntry("fingerprint_sha256", fingerprint(key))
                .containsEntry("trusted_by", "system:onboarding-service");

        await().atMost(Duration.ofSeconds(20)).until(() -> eventTypes(id).size() >= 4);
        assertThat(eventTypes(id))
                .containsExactly(
                        "target.registered",
                        "target.host_key_trusted",
                        "target.codex_status_changed",
                        "target.codex_status_changed");
    }

    @Test
    void unreadableOrInconsistentResultsAreDeadLettered() throws Exception {
        String id = registerLab(unique("onb-bad"), "192.0.2.81");
        UUID target = UUID.fromString(id);
        publish(new HostKeyTrustConfirmed(target, UUID.randomUUID(), "ssh-ed25519", "SHA256:forged", ed25519Key()));
        publish(new CodexReadinessObserved(target, UUID.randomUUID(), "sort-of", null));
        KafkaTopics.send(
                TestInfrastructure.kafka().bootstrapServers(),
                new ProducerRecord<>(Topics.ONBOARDING, id, "garbage".getBytes(StandardCharsets.UTF_8)));
        EventEnvelope after = publish(new CodexReadinessObserved(target, UUID.randomUUID(), "missing", null));

        await().atMost(Duration.ofSeconds(30))
                .until(() -> "missing".equals(target(id).get("codex_status")));
        assertThat(target(id).get("trusted_host_key")).isNull();
        await().atMost(Duration.ofSeconds(30))
                .until(() ->
                        KafkaTopics.readAll(TestInfrastructure.kafka().bootstrapServers(), Topics.DEAD_LETTER).stream()
                                        .filter(r -> id.equals(r.key()))
                                        .count()
                                == 3);
        assertThat(after.id()).isNotNull();
    }
}
