package io.devopsconsole.session.notify;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.devopsconsole.events.Topics;
import io.devopsconsole.events.session.ApprovalRequested;
import io.devopsconsole.session.Feed;
import io.devopsconsole.testkit.Sql;
import io.devopsconsole.testkit.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Approvals waiting for a person are announced on a Slack-compatible webhook and in a Matrix room
 * (protocol test doubles, {@link ChatDoubles}): once per approval and channel, after the debounce (none
 * for one decided meanwhile), with the project, the redacted command, the risk and a deep link; a
 * refused webhook is retried; the same event delivered again (as after a restart) announces nothing new;
 * a Matrix send repeated after a crash is one message (its transaction id).
 */
@QuarkusTest
class NotificationTest {

    private static String ask(UUID session, String requestId, String command) {
        return Feed.askApproval(session, requestId, command);
    }

    private static List<JsonNode> slackFor(UUID session) {
        return ChatDoubles.slack.stream()
                .filter(m -> m.path("text").asText().contains("/sessions/" + session))
                .toList();
    }

    private static List<JsonNode> matrixFor(UUID session) {
        return ChatDoubles.matrix.stream()
                .filter(m -> m.path("body").asText().contains("/sessions/" + session))
                .toList();
    }

    private static long rows(String approval, String state) {
        return Sql.count(
                "SELECT count(*) FROM session.notification WHERE approval_id = ?::uuid AND state = ?", approval, state);
    }

    @Test
    void eachApprovalIsAnnouncedOncePerChannelWithALinkAndNoSecret() {
        UUID session = Feed.newSession(null);
        long asked = System.currentTimeMillis();
        String approval =
                ask(session, "req-notify-1", "deploy --token ghp_abcdefghijklmnopqrstuvwxyz0123456789 \u202Eexe");
        await().atMost(Duration.ofSeconds(20))
                .until(() -> slackFor(session).size() == 1 && matrixFor(session).size() == 1);

        String slack = slackFor(session).get(0).path("text").asText();
        JsonNode room = matrixFor(session).get(0);
        UUID project = UUID.fromString(given().auth()
                .oauth2(Tokens.viewer())
                .get("/api/sessions/" + session)
                .then()
                .extract()
                .path("project_id"));
        String link = "https://console.test/#/projects/" + project + "/sessions/" + session;
        assertThat(slack)
                .contains("Approval waiting in Payments API")
                .contains("run: deploy --token [REDACTED]")
                .contains("<" + link + "|decide in the console>")
                .contains("[bidi]")
                .doesNotContain("ghp_")
                .doesNotContain("\u202E");
        assertThat(room.path("msgtype").asText()).isEqualTo("m.notice");
        assertThat(room.path("body").asText())
                .contains("Approval waiting in Payments API: run: deploy --token [REDACTED]")
                .contains(link)
                .doesNotContain("ghp_");
        assertThat(room.path("formatted_body").asText()).contains("<code>").contains("href=\"" + link + "\"");
        assertThat(rows(approval, "sent")).isEqualTo(2);
        long arrived = Math.max(
                ChatDoubles.arrivedAt.get(slackFor(session).get(0).path("text").asText()),
                ChatDoubles.arrivedAt.get(room.path("body").asText()));
        System.out.printf(
                "notification: approval requested (stream record sent) -> message in both rooms: %d ms (debounce 800 ms)%n",
                arrived - asked);

        // the same event delivered again (a restart re-reading the topic) announces nothing new
        Feed.publish(
                Topics.SESSION,
                new ApprovalRequested(UUID.fromString(approval), session, "command", "deploy", "elevated"),
                "session-service");
        // a Matrix send repeated after a crash (claimed, sent, not marked) is the same transaction: one message
        int before = ChatDoubles.matrixRequests.get();
        Sql.exec(
                "UPDATE session.notification SET state = 'sending', claimed_until = now() - interval '1 second'"
                        + " WHERE approval_id = ?::uuid AND channel = 'matrix'",
                approval);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> ChatDoubles.matrixRequests.get() > before && rows(approval, "sent") == 2);
        await().pollDelay(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> true);
        assertThat(slackFor(session)).hasSize(1);
        assertThat(matrixFor(session)).hasSize(1);
        assertThat(Sql.count("SELECT count(*) FROM session.notification WHERE approval_id = ?::uuid", approval))
                .isEqualTo(2);
    }

    @Test
    void anApprovalDecidedWithinTheDebounceIsNotAnnounced() {
        UUID session = Feed.newSession(null);
        String approval = ask(session, "req-notify-2", "npm test");
        given().auth()
                .oauth2(Tokens.operator())
                .contentType("application/json")
                .body("{\"decision\":\"approved\"}")
                .post("/api/sessions/" + session + "/approvals/" + approval + "/decision")
                .then()
                .statusCode(200);
        await().atMost(Duration.ofSeconds(10)).until(() -> rows(approval, "skipped") == 2);
        await().pollDelay(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> true);
        assertThat(slackFor(session)).isEmpty();
        assertThat(matrixFor(session)).isEmpty();
    }

    @Test
    void aRefusedWebhookIsTriedAgainAndAnnouncesOnce() {
        UUID session = Feed.newSession(null);
        ChatDoubles.failWhenContains = "systemctl restart app-3";
        ChatDoubles.slackFailures.set(2);
        String approval = ask(session, "req-notify-3", "systemctl restart app-3");
        await().atMost(Duration.ofSeconds(30)).until(() -> slackFor(session).size() == 1);
        assertThat(ChatDoubles.slackFailures.get()).isLessThanOrEqualTo(0);
        assertThat(Sql.count(
                        "SELECT count(*) FROM session.notification WHERE approval_id = ?::uuid AND channel = 'slack'"
                                + " AND state = 'sent' AND attempts >= 3 AND last_error IS NULL",
                        approval))
                .isEqualTo(1);
        assertThat(matrixFor(session)).hasSize(1);
    }
}
