package io.devopsconsole.audit.record;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;

import io.devopsconsole.events.EventEnvelope;
import io.devopsconsole.events.Topics;
import io.devopsconsole.testkit.KafkaTopics;
import io.devopsconsole.testkit.Sql;
import io.devopsconsole.testkit.TestInfrastructure;
import io.devopsconsole.testkit.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Secrets are refused at the API and redacted on ingest; a planted canary never leaves. */
@QuarkusTest
class AuditSecretsTest {

    static Map<String, Object> valid(String resourceId) {
        Map<String, Object> body = new HashMap<>();
        body.put("type", "ci.deployment.finished.v1");
        body.put("source", "/ci-runner");
        body.put("resource_type", "deployment");
        body.put("resource_id", resourceId);
        body.put("summary", "ci-bot finished deployment 42 of payments-api");
        body.put("details", Map.of("build", 42, "commit", "3f2a9c1"));
        body.put("risk", "elevated");
        return body;
    }

    /** At least twenty ways a secret can be smuggled in; each must be refused naming where it is. */
    static Stream<Object[]> hostile() {
        List<Object[]> cases = new ArrayList<>();
        String[][] keyed = {
            {"password", "hunter2hunter2"},
            {"db_password", "x"},
            {"secret", "s3cr3t"},
            {"client_secret", "abc"},
            {"token", "t0k3n"},
            {"api_key", "k"},
            {"apiKey", "k"},
            {"private_key", "k"},
            {"credentials", "user:pw"},
            {"authorization", "Basic dXNlcjpwdw=="},
            {"cookie", "session=1"},
            {"refresh_token", "r"},
            {"OPENAI_API_KEY", "sk-x"},
            {"session_token", "x"},
            {"access-key", "x"}
        };
        for (String[] kv : keyed) {
            cases.add(new Object[] {"details." + kv[0], Map.of(kv[0], kv[1])});
        }
        String[] values = {
            "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmU=\n-----END OPENSSH PRIVATE KEY-----",
            "Bearer abcdefghijklmnopqrstuvwxyz0123",
            "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJvbGdhIn0.c2lnbmF0dXJlLXZhbHVl",
            "AKIAABCDEFGHIJKLMNOP",
            "sk-proj-abcdefghijklmnopqrstuvwxyz012345",
            "ghp_abcdefghijklmnopqrstuvwxyz0123456789",
            "postgres://app:hunter2@db.internal/app",
            "{\"OPENAI_API_KEY\": \"sk-abc\", \"tokens\": {}}",
            "password=hunter22",
            "xoxb-1234567890-abcdefghij"
        };
        for (String v : values) {
            cases.add(new Object[] {"details.note", Map.of("note", v)});
        }
        cases.add(new Object[] {
            "details.nested.list[1].password",
            Map.of("nested", Map.of("list", List.of(Map.of("a", 1), Map.of("password", "pw"))))
        });
        return cases.stream();
    }

    @ParameterizedTest
    @MethodSource("hostile")
    void secretLookingInputIsRefusedNamingItsPath(String path, Map<String, Object> details) {
        String resource = UUID.randomUUID().toString();
        Map<String, Object> body = valid(resource);
        body.put("details", details);
        given().auth()
                .oauth2(Tokens.operator())
                .contentType("application/json")
                .body(body)
                .post("/api/audit/events")
                .then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("errors.field", hasItem(path));
        assertThat(Sql.count("SELECT count(*) FROM audit.audit_record WHERE resource_id = ?", resource))
                .isZero();
    }

    @Test
    void secretsInTopLevelFieldsAreRefusedToo() {
        String resource = UUID.randomUUID().toString();
        Map<String, Object> body = valid(resource);
        body.put("summary", "deployed with token=abcdefgh12345");
        given().auth()
                .oauth2(Tokens.operator())
                .contentType("application/json")
                .body(body)
                .post("/api/audit/events")
                .then()
                .statusCode(400)
                .body("errors.field", hasItem("summary"));
    }

    @Test
    void outsideProducersRecordEventsIdempotently() {
        String resource = UUID.randomUUID().toString();
        Map<String, Object> body = valid(resource);
        body.put("id", UUID.randomUUID().toString());
        given().auth()
                .oauth2(Tokens.operator())
                .contentType("application/json")
                .body(body)
                .post("/api/audit/events")
                .then()
                .statusCode(201)
                .body("actor", equalTo("olga-operator"))
                .body("action", equalTo("deployment.finished"))
                .body("details.build", equalTo(42));
        given().auth()
                .oauth2(Tokens.operator())
                .contentType("application/json")
                .body(body)
                .post("/api/audit/events")
                .then()
                .statusCode(200);
        given().auth()
                .oauth2(Tokens.viewer())
                .contentType("application/json")
                .body(body)
                .post("/api/audit/events")
                .then()
                .statusCode(403);
        given().auth()
                .oauth2(Tokens.viewer())
                .queryParam("resource_id", resource)
                .get("/api/audit/events")
                .then()
                .body("items", hasSize(1));
        given().auth()
                .oauth2(Tokens.viewer())
                .queryParam("risk", "elevated")
                .queryParam("q", "DEPLOYMENT 42")
                .get("/api/audit/events")
                .then()
                .body("items.resource_id", hasItem(resource));
        // published for outside consumers, keyed by the resource
        await().atMost(Duration.ofSeconds(20))
                .until(() -> KafkaTopics.readAll(TestInfrastructure.kafka().bootstrapServers(), Topics.AUDIT).stream()
                                .filter(r -> resource.equals(r.key()))
                                .count()
                        == 1);
    }

    @Test
    void aPlantedCanaryIsRedactedBeforeStorageTheAuditTopicAndTheLogs() {
        String canary = "CANARY" + UUID.randomUUID().toString().replace("-", "");
        List<String> logged = new ArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                logged.add(
                        String.valueOf(record.getMessage()) + " " + java.util.Arrays.toString(record.getParameters()));
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        java.util.logging.Logger root = java.util.logging.Logger.getLogger("");
        root.addHandler(capture);
        try {
            String subject = UUID.randomUUID().toString();
            String data = "{\"project_id\":\"" + subject
                    + "\",\"slug\":\"leaky\",\"name\":\"Leaky\",\"description\":null,"
                    + "\"default_working_directory\":\"/srv/leaky\",\"version\":0,"
                    + "\"db\":{\"password\":\"" + canary + "\"},\"note\":\"Authorization: Bearer " + canary + "\"}";
            EventEnvelope envelope = new EventEnvelope(
                    UUID.randomUUID(),
                    "/registry-service",
                    "io.devopsconsole.registry.project.created.v1",
                    subject,
                    OffsetDateTime.now(ZoneOffset.UTC),
                    "olga",
                    Map.of(),
                    data.getBytes(StandardCharsets.UTF_8));
            AuditIngestTest.publish(envelope);
            await().atMost(Duration.ofSeconds(30)).until(() -> AuditIngestTest.recordsFor(envelope.id()) == 1);

            Map<String, Object> row = Sql.rows("SELECT * FROM audit.audit_record WHERE event_id = ?", envelope.id())
                    .get(0);
            assertThat(row.toString()).doesNotContain(canary);
            assertThat(row.get("redacted")).isEqualTo(true);
            assertThat((String) row.get("details")).contains("[REDACTED]").contains("/srv/leaky");

            List<ConsumerRecord<String, byte[]>> published = await().atMost(Duration.ofSeconds(20))
                    .until(
                            () ->
                                    KafkaTopics.readAll(
                                                    TestInfrastructure.kafka().bootstrapServers(), Topics.AUDIT)
                                            .stream()
                                            .filter(r -> subject.equals(r.key()))
                                            .toList(),
                            l -> l.size() == 1);
            String out = new String(published.get(0).value(), StandardCharsets.UTF_8);
            assertThat(out).doesNotContain(canary).contains("\"redacted\":true");
            assertThat(new String(
                            published.get(0).headers().lastHeader("ce_type").value(), StandardCharsets.UTF_8))
                    .isEqualTo("io.devopsconsole.audit.record.recorded.v1");
        } finally {
            root.removeHandler(capture);
        }
        assertThat(logged).noneMatch(line -> line.contains(canary));
    }
}
