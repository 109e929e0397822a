package io.devopsconsole.session.stream;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.devopsconsole.events.agent.StreamKind;
import io.devopsconsole.platform.text.StoredText;
import io.devopsconsole.session.Feed;
import io.devopsconsole.testkit.HostileText;
import io.devopsconsole.testkit.Sql;
import io.devopsconsole.testkit.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Any text from the worker or an operator (NUL, unpaired surrogates, bidi and ANSI controls, long
 * lines; fixed cases, then generated ones) is stored in the stored form (ADR 0014): never a 5xx, never
 * a stuck consumer, and what the API shows is what is stored.
 */
@QuarkusTest
class TextSafetyTest {

    @Test
    void hostileWorkerOutputIsStoredAndShownAsStoredAndTheStreamGoesOn() {
        List<String> texts = HostileText.samples(40);
        UUID session = Feed.newSession(null);
        long seq = 1;
        Feed.send(session, seq++, StreamKind.TURN_STARTED, null);
        for (String t : texts) {
            // as a runner that did not encode its text would send it: the consumer's guard must hold
            Feed.send(
                    session,
                    seq++,
                    StreamKind.AGENT_MESSAGE_DELTA,
                    Feed.payload().put("delta", t));
            Feed.send(
                    session,
                    seq++,
                    StreamKind.ITEM_COMPLETED,
                    Feed.payload()
                            .put("item_type", "command_execution")
                            .put("command", "printf " + t)
                            .put("cwd", "/srv/" + t)
                            .put("exit_code", 0)
                            .put("output", t));
        }
        Feed.send(session, seq, StreamKind.TURN_COMPLETED, null);
        long last = seq;
        await().atMost(Duration.ofSeconds(60))
                .until(() -> Sql.count(
                                "SELECT count(*) FROM session.session_event"
                                        + " WHERE session_id = ? AND stream_seq = ?",
                                session,
                                last)
                        == 1);

        List<Map<String, Object>> events = given().auth()
                .oauth2(Tokens.viewer())
                .queryParam("limit", 500)
                .get("/api/sessions/" + session + "/events")
                .then()
                .statusCode(200)
                .extract()
                .path("items");
        List<String> deltas = events.stream()
                .filter(e -> "agent_message_delta".equals(e.get("kind")))
                .map(e -> (String) ((Map<?, ?>) e.get("body")).get("delta"))
                .toList();
        assertThat(deltas.stream().map(HostileText::visible).toList())
                .containsExactlyElementsOf(texts.stream()
                        .map(StoredText::guard)
                        .map(HostileText::visible)
                        .toList());

        List<Map<String, Object>> commands = given().auth()
                .oauth2(Tokens.viewer())
                .queryParam("limit", 500)
                .get("/api/sessions/" + session + "/commands")
                .then()
                .statusCode(200)
                .extract()
                .path("items");
        assertThat(commands).hasSize(texts.size());
        for (Map<String, Object> c : commands) {
            Map<String, Object> stored = Sql.rows(
                            "SELECT command, cwd, output_tail FROM session.command_audit WHERE id = ?::uuid",
                            c.get("id"))
                    .get(0);
            assertThat(c.get("command")).isEqualTo(stored.get("command"));
            assertThat(c.get("output_tail")).isEqualTo(stored.get("output_tail"));
            assertThat((String) stored.get("command")).doesNotContain("\u0000");
        }
        assertThat(commands.stream().map(c -> (String) c.get("command")))
                .contains("printf a" + StoredText.ESCAPE + "u0000b", "printf lone " + StoredText.ESCAPE + "ud800 high");
    }

    @Test
    void hostileOperatorTextIsAcceptedAndKeptLosslessly() {
        for (String t : HostileText.samples(30)) {
            if (t.isBlank()) {
                continue; // a blank message is refused for being blank
            }
            UUID session = Feed.newSession(null);
            var posted = given().auth()
                    .oauth2(Tokens.operator())
                    .contentType("application/json")
                    .body(HostileText.json(Map.of("text", t.length() > 30_000 ? t.substring(0, 30_000) : t)))
                    .post("/api/sessions/" + session + "/messages")
                    .then()
                    .extract();
            assertThat(posted.statusCode()).as(posted.body().asString()).isBetween(200, 299);
            List<Map<String, Object>> events = given().auth()
                    .oauth2(Tokens.viewer())
                    .get("/api/sessions/" + session + "/events")
                    .then()
                    .statusCode(200)
                    .extract()
                    .path("items");
            String shown = events.stream()
                    .filter(e -> "operator_message".equals(e.get("kind")))
                    .map(e -> (String) ((Map<?, ?>) e.get("body")).get("text"))
                    .findFirst()
                    .orElseThrow();
            assertThat(HostileText.visible(StoredText.decode(shown)))
                    .isEqualTo(HostileText.visible(t.length() > 30_000 ? t.substring(0, 30_000) : t));

            var handoff = given().auth()
                    .oauth2(Tokens.operator())
                    .contentType("application/json")
                    .body(HostileText.json(Map.of(
                            "project_id",
                            io.devopsconsole.session.Feed.newProject().toString(),
                            "intent",
                            t.length() > 4000 ? t.substring(0, 4000) : t)))
                    .post("/api/handoffs")
                    .then()
                    .extract();
            assertThat(handoff.statusCode()).as(handoff.body().asString()).isEqualTo(201);
            assertThat(HostileText.visible(StoredText.decode(handoff.path("intent"))))
                    .isEqualTo(HostileText.visible(
                            (t.length() > 4000 ? t.substring(0, 4000) : t).strip())); // intents are trimmed
        }
    }
}
