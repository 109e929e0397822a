package io.devopsconsole.audit.record;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.devopsconsole.events.Topics;
import io.devopsconsole.events.registry.ProjectCreated;
import io.devopsconsole.testkit.KafkaTopics;
import io.devopsconsole.testkit.Sql;
import io.devopsconsole.testkit.TestInfrastructure;
import io.devopsconsole.testkit.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Events outside producers post (ADR 0018): the service sets the record's source, actor and time;
 * what the producer claimed is kept as reported, visibly apart; the console's own event types
 * cannot be posted; and one caller's posts are budgeted.
 */
@QuarkusTest
class DirectPostTest {

    @Test
    void theServiceSetsSourceActorAndTimeTheProducersClaimsAreKeptAsReported() {
        String resource = UUID.randomUUID().toString();
        Map<String, Object> body = AuditSecretsTest.valid(resource);
        body.put("source", "/registry-service");
        body.put("time", "2019-01-01T00:00:00Z");
        OffsetDateTime before = OffsetDateTime.now(ZoneOffset.UTC).minusSeconds(5);
        Response posted = given().auth()
                .oauth2(Tokens.operator())
                .contentType("application/json")
                .body(body)
                .post("/api/audit/events");
        posted.then()
                .statusCode(201)
                .body("source", equalTo("/api/devops-console"))
                .body("actor", equalTo("olga-operator"))
                .body("origin", equalTo("api"))
                .body("reported.source", equalTo("/registry-service"))
                .body("reported.time", equalTo("2019-01-01T00:00:00Z"));
        assertThat(OffsetDateTime.parse(posted.path("time"))).isAfter(before);
        assertThat(OffsetDateTime.parse(posted.path("recorded_at")))
                .isEqualTo(OffsetDateTime.parse(posted.path("time")));
        // searches and the SIEM feed show the same: never a record that passes for the registry's own
        given().auth()
                .oauth2(Tokens.viewer())
                .queryParam("resource_id", resource)
                .get("/api/audit/events")
                .then()
                .statusCode(200)
                .body("items[0].origin", equalTo("api"))
                .body("items[0].source", equalTo("/api/devops-console"))
                .body("items[0].reported.source", equalTo("/registry-service"));
        await().atMost(Duration.ofSeconds(30))
                .until(() -> KafkaTopics.readAll(TestInfrastructure.kafka().bootstrapServers(), Topics.AUDIT).stream()
                        .map(r -> resource.equals(r.key()) ? new String(r.value(), StandardCharsets.UTF_8) : "")
                        .anyMatch(v -> v.contains("\"origin\":\"api\"")
                                && v.contains("\"reported\":{\"source\":\"/registry-service\"")));
        // the console's own records say so
        var own = AuditIngestTest.publish(
                new ProjectCreated(UUID.randomUUID(), "own", "Own", null, "/srv/own", 0), "olga");
        await().atMost(Duration.ofSeconds(30)).until(() -> AuditIngestTest.recordsFor(own.id()) == 1);
        given().auth()
                .oauth2(Tokens.viewer())
                .queryParam("resource_id", own.subject())
                .get("/api/audit/events")
                .then()
                .statusCode(200)
                .body("items[0].origin", equalTo("console"))
                .body("items[0].source", equalTo(own.source()))
                .body("items[0].reported", org.hamcrest.Matchers.nullValue());
    }

    @Test
    void theConsolesOwnEventTypesCannotBePosted() {
        String resource = UUID.randomUUID().toString();
        Map<String, Object> body = AuditSecretsTest.valid(resource);
        body.put("type", "io.devopsconsole.registry.project.created.v1");
        given().auth()
                .oauth2(Tokens.admin())
                .contentType("application/json")
                .body(body)
                .post("/api/audit/events")
                .then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("errors[0].field", equalTo("type"))
                .body("errors[0].message", containsString("console's own"));
        assertThat(Sql.count("SELECT count(*) FROM audit.audit_record WHERE resource_id = ?", resource))
                .isZero();
    }

    @Test
    void aProducerThatClaimsNothingHasNoReportedClaims() {
        Map<String, Object> body = AuditSecretsTest.valid(UUID.randomUUID().toString());
        body.remove("source");
        given().auth()
                .oauth2(Tokens.operator())
                .contentType("application/json")
                .body(body)
                .post("/api/audit/events")
                .then()
                .statusCode(201)
                .body("reported", org.hamcrest.Matchers.nullValue())
                .body("origin", equalTo("api"));
    }

    /** One caller posting in a loop is answered 429 with Retry-After once its burst is spent; others go on. */
    @Test
    void directPostsAreBudgetedPerUser() {
        String flooder = Tokens.forRoles("flo-flooder", "operator");
        int accepted = 0;
        Response refused = null;
        for (int i = 0; i < 1000 && refused == null; i++) {
            Response r = given().auth()
                    .oauth2(flooder)
                    .contentType("application/json")
                    .body(AuditSecretsTest.valid("flood-" + i))
                    .post("/api/audit/events");
            if (r.statusCode() == 429) {
                refused = r;
            } else {
                assertThat(r.statusCode()).isEqualTo(201);
                accepted++;
            }
        }
        assertThat(refused).as("a refusal within 1000 posts").isNotNull();
        assertThat(accepted).isGreaterThanOrEqualTo(60);
        refused.then()
                .contentType("application/problem+json")
                .body("status", equalTo(429))
                .body("detail", containsString("flo-flooder"));
        assertThat(Integer.parseInt(refused.header("Retry-After"))).isPositive();
        // another user is not held up by it
        given().auth()
                .oauth2(Tokens.operator())
                .contentType("application/json")
                .body(AuditSecretsTest.valid(UUID.randomUUID().toString()))
                .post("/api/audit/events")
                .then()
                .statusCode(201);
    }
}
