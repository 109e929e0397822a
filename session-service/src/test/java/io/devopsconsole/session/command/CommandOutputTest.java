package io.devopsconsole.session.command;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.devopsconsole.events.agent.AgentStreamRecord;
import io.devopsconsole.events.agent.StreamKind;
import io.devopsconsole.session.Feed;
import io.devopsconsole.testkit.Sql;
import io.devopsconsole.testkit.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** A command's whole output on demand (the transcript keeps its tail), up to the limit (100,000 in tests). */
@QuarkusTest
class CommandOutputTest {

    private static long seq;

    private static void send(UUID session, StreamKind kind, String item, ObjectNode payload) {
        Feed.send(new AgentStreamRecord(
                UUID.randomUUID(),
                session,
                ++seq,
                kind,
                "turn-1",
                item,
                null,
                OffsetDateTime.now(ZoneOffset.UTC),
                payload));
    }

    private static ObjectNode command(String text) {
        return Feed.payload().put("item_type", "command_execution").put("command", text);
    }

    private static ObjectNode ended(String tail, int chars) {
        return command("x")
                .put("status", "completed")
                .put("outcome", "succeeded")
                .put("exit_code", 0)
                .put("output", tail)
                .put("output_chars", chars);
    }

    private static JsonPath output(UUID session, String item) {
        return given().auth()
                .oauth2(Tokens.viewer())
                .get("/api/sessions/" + session + "/commands/" + item + "/output")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
    }

    @Test
    void theWholeOutputComesFromTheStoredDeltasUpToTheLimitAndSaysWhenItIsNotAll() {
        seq = 0;
        UUID session = Feed.newSession(null);
        // seq 1 30000 streamed in three pieces: 168,894 characters, more than the limit
        StringBuilder whole = new StringBuilder();
        for (int i = 1; i <= 30000; i++) {
            whole.append(i).append('\n');
        }
        send(session, StreamKind.ITEM_STARTED, "c1", command("seq 1 30000"));
        int third = whole.length() / 3;
        send(session, StreamKind.COMMAND_OUTPUT_DELTA, "c1", Feed.payload().put("delta", whole.substring(0, third)));
        send(
                session,
                StreamKind.COMMAND_OUTPUT_DELTA,
                "c1",
                Feed.payload().put("delta", whole.substring(third, 2 * third)));
        send(session, StreamKind.COMMAND_OUTPUT_DELTA, "c1", Feed.payload().put("delta", whole.substring(2 * third)));
        send(session, StreamKind.ITEM_COMPLETED, "c1", ended(whole.substring(whole.length() - 4096), whole.length()));
        // a command nothing was streamed for: its end's tail is what there is
        send(session, StreamKind.ITEM_STARTED, "c2", command("quiet"));
        send(session, StreamKind.ITEM_COMPLETED, "c2", ended("the end\n", 9000));
        // a short one, with a NUL and a bidi override kept as stored
        send(session, StreamKind.ITEM_STARTED, "c3", command("printf"));
        send(session, StreamKind.COMMAND_OUTPUT_DELTA, "c3", Feed.payload().put("delta", "a\u0000b\n"));
        send(session, StreamKind.COMMAND_OUTPUT_DELTA, "c3", Feed.payload().put("delta", "\u202Eevil\n"));
        send(session, StreamKind.ITEM_COMPLETED, "c3", ended("a\u0000b\n\u202Eevil\n", 10));
        // an agent message is not a command
        send(session, StreamKind.ITEM_STARTED, "m1", Feed.payload().put("item_type", "agent_message"));
        await().atMost(Duration.ofSeconds(20))
                .until(() -> Sql.count(
                                "SELECT count(*) FROM session.session_event WHERE session_id = ? AND stream_seq IS NOT NULL",
                                session)
                        == seq);

        JsonPath c1 = output(session, "c1");
        assertThat(c1.getString("output")).isEqualTo(whole.substring(0, 100_000));
        assertThat(c1.getLong("stored_chars")).isEqualTo(100_000);
        assertThat(c1.getInt("output_chars")).isEqualTo(whole.length());
        assertThat(c1.getBoolean("truncated")).isTrue();

        JsonPath c2 = output(session, "c2");
        assertThat(c2.getString("output")).isEqualTo("the end\n");
        assertThat(c2.getInt("output_chars")).isEqualTo(9000);
        assertThat(c2.getBoolean("truncated")).isTrue();

        JsonPath c3 = output(session, "c3");
        assertThat(c3.getString("output")).isEqualTo("a⧵u0000b\n\u202Eevil\n"); // the stored form: NUL visible
        assertThat(c3.getBoolean("truncated")).isFalse();

        given().auth()
                .oauth2(Tokens.viewer())
                .get("/api/sessions/" + session + "/commands/m1/output")
                .then()
                .statusCode(404);
        given().auth()
                .oauth2(Tokens.viewer())
                .get("/api/sessions/" + session + "/commands/nope/output")
                .then()
                .statusCode(404)
                .contentType("application/problem+json");
        given().auth()
                .oauth2(Tokens.viewer())
                .get("/api/sessions/" + UUID.randomUUID() + "/commands/c1/output")
                .then()
                .statusCode(404);
        given().get("/api/sessions/" + session + "/commands/c1/output").then().statusCode(401);
        given().auth()
                .oauth2(Tokens.viewer())
                .get("/api/sessions/not-a-uuid/commands/c1/output")
                .then()
                .statusCode(404);
    }
}
