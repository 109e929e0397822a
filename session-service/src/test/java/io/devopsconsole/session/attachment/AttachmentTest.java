package io.devopsconsole.session.attachment;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import io.devopsconsole.events.agent.StreamKind;
import io.devopsconsole.session.Feed;
import io.devopsconsole.testkit.Sql;
import io.devopsconsole.testkit.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Files attached to a session: checked (name, accepted type, content really of that type, size), stored
 * byte for byte, noted in the transcript, announced to the audit without the content, handed to the
 * runner with it, and moved to copied/failed by the runner's stream record.
 */
@QuarkusTest
class AttachmentTest {

    static Response attach(UUID session, String token, String name, String type, byte[] content) {
        return given().auth()
                .oauth2(token)
                .contentType(type)
                .queryParam("name", name)
                .body(content)
                .post("/api/sessions/" + session + "/attachments");
    }

    @Test
    void aFileIsStoredAsSentNotedAuditedWithoutItsContentAndHandedToTheRunner() {
        UUID session = Feed.newSession(null);
        // JSON with escapes a JSON body would have rewritten, and a bidi override: kept byte for byte
        byte[] file = "{\"note\":\"a\\u0000b \u202e\", \"x\": [1,2]}\n".getBytes(StandardCharsets.UTF_8);
        String id = attach(session, Tokens.operator(), "settings.json", "application/json; charset=utf-8", file)
                .then()
                .statusCode(201)
                .body("name", equalTo("settings.json"))
                .body("media_type", equalTo("application/json"))
                .body("size_bytes", equalTo(file.length))
                .body("sha256", equalTo(io.devopsconsole.events.agent.CopyAttachment.sha256(file)))
                .body("uploaded_by", equalTo("olga-operator"))
                .body("state", equalTo("sent"))
                .extract()
                .path("id");
        byte[] back = given().auth()
                .oauth2(Tokens.viewer())
                .get("/api/sessions/" + session + "/attachments/" + id + "/content")
                .then()
                .statusCode(200)
                .header("Content-Type", containsString("application/octet-stream"))
                .header("Content-Disposition", equalTo("attachment; filename=\"settings.json\""))
                .header("X-Content-Type-Options", equalTo("nosniff"))
                .extract()
                .asByteArray();
        assertThat(back).isEqualTo(file);

        // the transcript notes it (no content), the audit event has no content, the runner's command has it
        List<Map<String, Object>> noted = Sql.rows(
                "SELECT actor, body FROM session.session_event WHERE session_id = ? AND kind = 'attachment_added'",
                session);
        assertThat(noted).hasSize(1);
        assertThat(noted.get(0)).containsEntry("actor", "olga-operator");
        assertThat((String) noted.get(0).get("body"))
                .contains("\"name\":\"settings.json\"")
                .doesNotContain("note");
        String audited = (String) Sql.rows(
                        "SELECT convert_from(data, 'UTF8') AS data FROM session.outbox_event WHERE ce_type = ?"
                                + " AND convert_from(data, 'UTF8') LIKE ?",
                        "io.devopsconsole.session.attachment.added.v1",
                        "%" + id + "%")
                .get(0)
                .get("data");
        assertThat(audited).contains("settings.json").doesNotContain("content").doesNotContain("note");
        String command = (String) Sql.rows(
                        "SELECT convert_from(data, 'UTF8') AS data FROM session.outbox_event WHERE ce_type = ?"
                                + " AND convert_from(data, 'UTF8') LIKE ?",
                        "io.devopsconsole.agent.attachment.copy_requested.v1",
                        "%" + id + "%")
                .get(0)
                .get("data");
        assertThat(command)
                .contains("\"content_base64\":\"" + Base64.getEncoder().encodeToString(file) + "\"");

        // the runner's record: copied to its path on the host
        Feed.send(
                session,
                1,
                StreamKind.ATTACHMENT_COPIED,
                Feed.payload()
                        .put("attachment_id", id)
                        .put("name", "settings.json")
                        .put("state", "copied")
                        .put("path", "/srv/p/.devops-console/attachments/settings.json")
                        .put("size_bytes", file.length)
                        .put("sha256", io.devopsconsole.events.agent.CopyAttachment.sha256(file)));
        await().atMost(Duration.ofSeconds(20))
                .until(() -> "copied"
                        .equals(Sql.rows("SELECT state FROM session.attachment WHERE id = ?", UUID.fromString(id))
                                .get(0)
                                .get("state")));
        given().auth()
                .oauth2(Tokens.viewer())
                .get("/api/sessions/" + session + "/attachments")
                .then()
                .statusCode(200)
                .body("items.path", hasItem("/srv/p/.devops-console/attachments/settings.json"))
                .body("items.state", hasItem("copied"));
    }

    @Test
    void whatIsNotAPlainNameAnAcceptedTypeOrThatTypeIsRefusedNamingWhatIsWrong() {
        UUID session = Feed.newSession(null);
        byte[] text = "hello\n".getBytes(StandardCharsets.UTF_8);
        for (String name : new String[] {"../etc/passwd", ".hidden", "a b.txt", "x\u202e.txt", "", "a/b"}) {
            attach(session, Tokens.operator(), name, "text/plain", text)
                    .then()
                    .statusCode(400)
                    .body("errors.field", hasItem("name"));
        }
        attach(session, Tokens.operator(), "run.sh", "application/x-sh", text)
                .then()
                .statusCode(400)
                .body("errors.field", hasItem("Content-Type"));
        // declared as an image, but text; text with a NUL byte; text that is not UTF-8
        attach(session, Tokens.operator(), "shot.png", "image/png", text)
                .then()
                .statusCode(400)
                .body("errors.field", hasItem("(body)"));
        attach(session, Tokens.operator(), "a.txt", "text/plain", new byte[] {'a', 0, 'b'})
                .then()
                .statusCode(400)
                .body("errors.message", hasItem(containsString("UTF-8 without NUL")));
        attach(session, Tokens.operator(), "a.txt", "text/plain", new byte[] {'a', (byte) 0xC3, '('})
                .then()
                .statusCode(400)
                .body("errors.field", hasItem("(body)"));
        // over the limit (8 KiB in tests), and empty
        attach(
                        session,
                        Tokens.operator(),
                        "big.log",
                        "text/plain",
                        "x".repeat(8 * 1024 + 1).getBytes())
                .then()
                .statusCode(400)
                .body("errors.message", hasItem(containsString("at most 8192")));
        attach(session, Tokens.operator(), "empty.txt", "text/plain", new byte[0])
                .then()
                .statusCode(400);
        // a real PNG signature passes the check
        byte[] png = new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0};
        attach(session, Tokens.operator(), "shot.png", "image/png", png).then().statusCode(201);
        // nothing half-written: only the PNG is there
        assertThat(Sql.rows("SELECT name FROM session.attachment WHERE session_id = ?", session))
                .extracting(r -> r.get("name"))
                .containsExactly("shot.png");
        assertThat(Sql.rows(
                        "SELECT 1 FROM session.session_event WHERE session_id = ? AND kind = 'attachment_added'",
                        session))
                .hasSize(1);
    }

    @Test
    void onlyOperatorsAttachOnlyToLiveSessionsAndUnknownOnesAre404() {
        UUID session = Feed.newSession(null);
        byte[] text = "hello\n".getBytes(StandardCharsets.UTF_8);
        attach(session, Tokens.viewer(), "a.txt", "text/plain", text).then().statusCode(403);
        attach(UUID.randomUUID(), Tokens.operator(), "a.txt", "text/plain", text)
                .then()
                .statusCode(404);
        given().auth()
                .oauth2(Tokens.viewer())
                .get("/api/sessions/" + session + "/attachments/" + UUID.randomUUID() + "/content")
                .then()
                .statusCode(404);
        given().auth()
                .oauth2(Tokens.operator())
                .contentType("application/json")
                .body("{}")
                .post("/api/sessions/" + session + "/stop")
                .then()
                .statusCode(200);
        attach(session, Tokens.operator(), "a.txt", "text/plain", text)
                .then()
                .statusCode(409)
                .body("detail", containsString("takes no attachments"));
    }
}
