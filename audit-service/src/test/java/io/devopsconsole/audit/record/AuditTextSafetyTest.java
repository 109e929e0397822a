package io.devopsconsole.audit.record;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import io.devopsconsole.events.EventEnvelope;
import io.devopsconsole.events.registry.ProjectCreated;
import io.devopsconsole.testkit.HostileText;
import io.devopsconsole.testkit.Sql;
import io.devopsconsole.testkit.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Any text, from a producer on Kafka or a direct post, is stored in a form PostgreSQL keeps exactly
 * (ADR 0014), the hash covers what is stored, and the chain verifies afterwards; what the API shows
 * is what is stored; nothing answers 5xx.
 */
@QuarkusTest
class AuditTextSafetyTest {

    @Test
    void hostileTextFromKafkaAndFromDirectPostsIsStoredAsHashedAndTheChainVerifies() {
        String actor = "hostile-" + UUID.randomUUID().toString().substring(0, 8);
        List<String> texts = HostileText.samples(60);
        EventEnvelope last = null;
        for (String t : texts) {
            // as a producer that never encoded its text would send it
            last = AuditIngestTest.publish(
                    new ProjectCreated(UUID.randomUUID(), "hostile", t, t, "/srv/hostile", 0), actor);
        }
        int accepted = 0;
        for (String t : texts) {
            Map<String, Object> details = new LinkedHashMap<>();
            details.put(t, t);
            details.put("list", List.of(t, 1));
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("type", "ci.hostile.text");
            body.put("source", "/ci-runner");
            body.put("resource_type", "pipeline");
            body.put("resource_id", "p-1");
            body.put("resource_name", t.length() > 200 ? t.substring(0, 200) : t);
            body.put("summary", actor + " " + (t.length() > 900 ? t.substring(0, 900) : t));
            body.put("details", details);
            var answer = given().auth()
                    .oauth2(Tokens.operator())
                    .contentType("application/json")
                    .body(HostileText.json(body))
                    .post("/api/audit/events")
                    .then()
                    .extract();
            // free text is refused for control characters only (as typed); anything else is kept
            boolean plain = t.chars()
                    .noneMatch(c -> (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || (c >= 0x7f && c < 0xa0));
            assertThat(answer.statusCode())
                    .as("answer to %s: %s", escaped(t), answer.body().asString())
                    .isEqualTo(plain ? 201 : 400);
            if (plain) {
                accepted++;
            }
        }
        assertThat(accepted).as("hostile texts accepted").isGreaterThanOrEqualTo(8);

        UUID lastId = last.id();
        await().atMost(Duration.ofSeconds(60))
                .until(() -> Sql.count("SELECT count(*) FROM audit.audit_record WHERE event_id = ?", lastId) == 1);
        assertThat(Sql.count("SELECT count(*) FROM audit.audit_record WHERE actor = ?", actor))
                .isEqualTo(texts.size());

        given().auth()
                .oauth2(Tokens.viewer())
                .get("/api/audit/verify")
                .then()
                .statusCode(200)
                .body("intact", equalTo(true));

        // what the API shows is what is stored, character for character
        List<Map<String, Object>> shown = given().auth()
                .oauth2(Tokens.viewer())
                .queryParam("actor", actor)
                .queryParam("limit", 100)
                .get("/api/audit/events")
                .then()
                .statusCode(200)
                .extract()
                .path("items");
        assertThat(shown).isNotEmpty();
        for (Map<String, Object> item : shown) {
            String stored =
                    (String) Sql.rows("SELECT summary FROM audit.audit_record WHERE id = ?::uuid", item.get("id"))
                            .get(0)
                            .get("summary");
            assertThat(item.get("summary")).isEqualTo(stored);
            assertThat(stored.indexOf('\u0000')).isNegative();
        }
    }

    /**
     * An event the database refuses (an actor too large for the actor index, as from a faulty producer)
     * between good ones: the good ones are recorded, the refused one goes to the dead-letter topic, a
     * record naming it takes its place in the chain, and the chain verifies.
     */
    @Test
    void anEventTheDatabaseRefusesIsDeadLetteredAndNamedInTheChainAndEverythingElseIsRecorded() {
        UUID project = UUID.randomUUID();
        EventEnvelope before =
                AuditIngestTest.publish(new ProjectCreated(project, "p", "Before", null, "/srv/p", 0), "olga");
        byte[] noise = new byte[12_000];
        new java.security.SecureRandom().nextBytes(noise);
        String hugeActor = java.util.Base64.getEncoder().encodeToString(noise);
        EventEnvelope refused =
                AuditIngestTest.publish(new ProjectCreated(project, "p", "Refused", null, "/srv/p", 1), hugeActor);
        EventEnvelope after =
                AuditIngestTest.publish(new ProjectCreated(project, "p", "After", null, "/srv/p", 2), "olga");

        await().atMost(Duration.ofSeconds(60)).until(() -> AuditIngestTest.recordsFor(after.id()) == 1);
        assertThat(AuditIngestTest.recordsFor(before.id())).isEqualTo(1);
        assertThat(AuditIngestTest.recordsFor(refused.id())).isZero();
        List<Map<String, Object>> note = Sql.rows(
                "SELECT type, summary, resource_id FROM audit.audit_record" + " WHERE resource_id = ?",
                refused.id().toString());
        assertThat(note).singleElement().satisfies(row -> {
            assertThat(row.get("type")).isEqualTo(AuditService.REFUSED);
            assertThat(row.get("summary").toString())
                    .contains(refused.id().toString())
                    .contains("could not be recorded")
                    .contains("dead-letter");
        });
        await().atMost(Duration.ofSeconds(30))
                .until(() -> io.devopsconsole.testkit.KafkaTopics.readAll(
                                AuditIngestTest.bootstrap(), io.devopsconsole.events.Topics.DEAD_LETTER)
                        .stream()
                        .anyMatch(r -> r.headers().lastHeader("ce_id") != null
                                && new String(
                                                r.headers().lastHeader("ce_id").value(),
                                                java.nio.charset.StandardCharsets.UTF_8)
                                        .equals(refused.id().toString())));
        given().auth()
                .oauth2(Tokens.viewer())
                .get("/api/audit/verify")
                .then()
                .statusCode(200)
                .body("intact", equalTo(true));
        given().get("/q/health/ready").then().statusCode(200);
    }

    static String escaped(String t) {
        StringBuilder b = new StringBuilder();
        t.chars()
                .limit(60)
                .forEach(c -> b.append(c < 0x20 || c > 0x7e ? String.format("\\u%04x", c) : String.valueOf((char) c)));
        return b.toString();
    }

    @Test
    void aSearchForANulCharacterIsRefusedNamingTheParameter() {
        given().auth()
                .oauth2(Tokens.viewer())
                .queryParam("q", "a\u0000b")
                .get("/api/audit/events")
                .then()
                .statusCode(400)
                .body("errors[0].field", equalTo("q"));
    }
}
