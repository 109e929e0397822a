package io.devopsconsole.session.logs;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import io.devopsconsole.events.Topics;
import io.devopsconsole.events.logs.SessionLogged;
import io.devopsconsole.platform.text.StoredText;
import io.devopsconsole.session.Feed;
import io.devopsconsole.testkit.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The console's own log records about a session (ADR 0031): what this service logs while acting for a
 * session travels through Kafka like every other service's and is kept per session for admins; a
 * record delivered twice is kept once, one that cannot be kept goes to the dead letters.
 */
@QuarkusTest
class SessionLogTest {

    static JsonPath page(UUID session, String query) {
        return given().auth()
                .oauth2(Tokens.admin())
                .get("/api/sessions/" + session + "/console-logs" + query)
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
    }

    static SessionLogged record(UUID session, String instance, long sequence, String level, String message) {
        return new SessionLogged(
                session,
                OffsetDateTime.now(ZoneOffset.UTC),
                "agent-runner",
                instance,
                sequence,
                level,
                "io.devopsconsole.agent.worker.SessionDriver",
                message,
                null,
                null);
    }

    @Test
    void whatThisServiceLogsForASessionIsKeptForAdmins() {
        UUID session = Feed.newSession(null);
        String approval = Feed.askApproval(session, "req-log-1", "rm -rf /tmp/x");
        // the approval expires (3 s in tests): session-service says so in the session's log
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(page(session, "").getList("items.message", String.class))
                        .anySatisfy(m -> assertThat(m).contains("approval " + approval + " expired")));
        JsonPath p = page(session, "");
        assertThat(p.getList("items.service", String.class)).contains("session-service");
        assertThat(p.getList("items.level", String.class)).contains("INFO");
    }

    @Test
    void everyServicesRecordsArePagedFilteredByLevelAndKeptOnce() {
        UUID session = Feed.newSession(null);
        String instance = "runner-" + UUID.randomUUID();
        // text as the shipper sends it: the stored form (NUL, a lone surrogate), a bidi override kept
        String hostile = StoredText.encode("worker said \u0000 and \ud800 and \u202eevil");
        for (int i = 1; i <= 5; i++) {
            Feed.publish(
                    Topics.SESSION_LOGS,
                    record(session, instance, i, i == 4 ? "WARN" : "INFO", i == 3 ? hostile : "record " + i),
                    "agent-runner");
        }
        Feed.publish(Topics.SESSION_LOGS, record(session, instance, 2, "INFO", "record 2"), "agent-runner");
        Feed.publish(Topics.SESSION_LOGS, record(UUID.randomUUID(), instance, 6, "INFO", "unknown"), "agent-runner");
        await().atMost(Duration.ofSeconds(20))
                .until(() -> page(session, "?limit=1000").getList("items.message", String.class).stream()
                                .filter(m -> m.startsWith("record ") || m.startsWith("worker said"))
                                .count()
                        == 5);

        List<String> all = page(session, "?limit=1000").getList("items.message", String.class);
        assertThat(all.stream().filter(m -> m.equals("record 2"))).hasSize(1);
        assertThat(all).contains(hostile);
        assertThat(StoredText.decode(hostile)).contains("\u0000").contains("\u202e");

        // newest page first, each page oldest first, and the older pages after it
        JsonPath newest = page(session, "?limit=2");
        assertThat(newest.getList("items.message", String.class)).containsExactly("record 4", "record 5");
        long older = newest.getLong("older");
        JsonPath before = page(session, "?limit=2&before=" + older);
        assertThat(before.getList("items.message", String.class)).containsExactly("record 2", hostile);
        assertThat(page(session, "?level=warn").getList("items.message", String.class))
                .containsExactly("record 4");
    }

    @Test
    void aRecordThatCannotBeKeptGoesToTheDeadLettersAndTheOthersGoOn() {
        UUID session = Feed.newSession(null);
        String instance = "runner-" + UUID.randomUUID();
        Feed.publish(
                Topics.SESSION_LOGS,
                new SessionLogged(
                        session, OffsetDateTime.now(ZoneOffset.UTC), null, instance, 1, "INFO", null, "x", null, null),
                "agent-runner");
        Feed.publish(Topics.SESSION_LOGS, record(session, instance, 2, "INFO", "after the bad one"), "agent-runner");
        await().atMost(Duration.ofSeconds(30))
                .until(() ->
                        page(session, "").getList("items.message", String.class).contains("after the bad one"));
        await().atMost(Duration.ofSeconds(30))
                .until(() -> io.devopsconsole.testkit.KafkaTopics.readAll(
                                io.devopsconsole.testkit.TestInfrastructure.kafka()
                                        .bootstrapServers(),
                                Topics.DEAD_LETTER)
                        .stream()
                        .anyMatch(r -> session.toString().equals(r.key())));
    }

    @Test
    void onlyAdminsReadThemAndBadQueriesNameTheField() {
        UUID session = Feed.newSession(null);
        for (String token : List.of(Tokens.viewer(), Tokens.operator(), Tokens.approver())) {
            given().auth()
                    .oauth2(token)
                    .get("/api/sessions/" + session + "/console-logs")
                    .then()
                    .statusCode(403);
        }
        given().get("/api/sessions/" + session + "/console-logs").then().statusCode(401);
        given().auth()
                .oauth2(Tokens.admin())
                .get("/api/sessions/" + UUID.randomUUID() + "/console-logs")
                .then()
                .statusCode(404);
        for (String[] bad : new String[][] {{"level", "LOUD"}, {"limit", "0"}, {"limit", "1001"}, {"before", "-1"}}) {
            given().auth()
                    .oauth2(Tokens.admin())
                    .queryParam(bad[0], bad[1])
                    .get("/api/sessions/" + session + "/console-logs")
                    .then()
                    .statusCode(400)
                    .contentType("application/problem+json")
                    .body("errors.field", hasItem(bad[0]));
        }
        given().auth()
                .oauth2(Tokens.admin())
                .queryParam("limit", "many")
                .get("/api/sessions/" + session + "/console-logs")
                .then()
                .statusCode(400)
                .body("errors.field", hasItem("limit"));
        given().auth()
                .oauth2(Tokens.admin())
                .get("/api/sessions/" + session + "/console-logs")
                .then()
                .statusCode(200)
                .body("items.size()", equalTo(0));
    }
}
