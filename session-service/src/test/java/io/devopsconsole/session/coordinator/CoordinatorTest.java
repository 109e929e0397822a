package io.devopsconsole.session.coordinator;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.devopsconsole.events.agent.StreamKind;
import io.devopsconsole.session.Feed;
import io.devopsconsole.session.coordinator.Conversations.Proposal;
import io.devopsconsole.session.session.SessionService;
import io.devopsconsole.testkit.Sql;
import io.devopsconsole.testkit.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The coordinator chat in session-service, with the real codex 0.169.0 as its app-server and the
 * scripted model calling the console's tools: slash commands with no model, the operator's own
 * token on every tool call (a viewer is refused by the API, and the audit event says so),
 * confirmations that run once, only with their phrase and not after they expire, and a conversation
 * nobody but its operator reads.
 */
@QuarkusTest
class CoordinatorTest {

    @Inject
    Conversations conversations;

    @io.quarkus.test.common.http.TestHTTPResource("/api/coordinator/stream")
    java.net.URI stream;

    static UUID post(String token, String text) {
        return UUID.fromString(given().auth()
                .oauth2(token)
                .contentType("application/json")
                .body(Map.of("text", text))
                .post("/api/coordinator/messages")
                .then()
                .statusCode(201)
                .extract()
                .path("conversation_id"));
    }

    static JsonPath events(String token) {
        return given().auth()
                .oauth2(token)
                .get("/api/coordinator/events?limit=1000")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
    }

    /** Waits until the conversation's newest turn is answered (the operator may send the next message). */
    static JsonPath awaitIdle(String token, UUID conversation) {
        await().atMost(Duration.ofSeconds(60))
                .until(() -> "idle"
                        .equals(Sql.rows("SELECT state FROM session.session WHERE id = ?", conversation)
                                .get(0)
                                .get("state")));
        return events(token);
    }

    static List<Map<String, Object>> kinds(JsonPath events, String kind) {
        return events.getList("items.findAll { it.kind == '" + kind + "' }");
    }

    @Test
    void slashCommandsNeedNoModelAndAConversationIsItsOperatorsOnly() {
        String sam = Tokens.forRoles("sam-slash", "operator");
        UUID conversation = post(sam, "/help");
        JsonPath events = awaitIdle(sam, conversation);
        assertThat(kinds(events, "operator_message")).hasSize(1);
        assertThat(events.getString("items.find { it.kind == 'coordinator_note' }.body.text"))
                .contains("/targets", "/onboard", "/trust", "/advance", "/plan approve", "/session start", "/approve");

        post(sam, "/frobnicate now");
        events = awaitIdle(sam, conversation);
        assertThat(events.getString("items.findAll { it.kind == 'coordinator_note' }[-1].body.text"))
                .startsWith("There is no command /frobnicate");

        // shell text never becomes a name: the tool refuses it before any API is called
        post(sam, "/target web-1;rm$(reboot)");
        events = awaitIdle(sam, conversation);
        Map<String, Object> refused = kinds(events, "coordinator_tool_result").get(0);
        assertThat(refused).extractingByKey("body").asString().contains("refused", "400", "name: must be a name");

        // the conversation streams like a transcript: every record with its seq, and from a Last-Event-ID on
        try (io.devopsconsole.testkit.SseClient sse = io.devopsconsole.testkit.SseClient.open(stream, sam, null)) {
            await().atMost(Duration.ofSeconds(10))
                    .until(() ->
                            sse.events().stream().filter(e -> e.id() != null).count() >= 6);
            assertThat(sse.events().stream()
                            .filter(e -> e.id() != null)
                            .map(e -> e.id())
                            .limit(6)
                            .toList())
                    .containsExactly("1", "2", "3", "4", "5", "6");
            assertThat(sse.events().get(1).data()).contains("\"kind\":\"coordinator_note\"", "/targets");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        try (io.devopsconsole.testkit.SseClient sse = io.devopsconsole.testkit.SseClient.open(stream, sam, "5")) {
            await().atMost(Duration.ofSeconds(10)).until(() -> !sse.events().isEmpty());
            assertThat(sse.events().get(0).id()).isEqualTo("6");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        assertThatThrownByStream(Tokens.forRoles("nobody-yet", "viewer"));

        // a NUL and a lone surrogate are kept, in the stored form of text, and the answer names them the same way
        given().auth()
                .oauth2(sam)
                .contentType("application/json")
                .body("{\"text\":\"/frobnicate \\u0000 \\ud800\"}")
                .post("/api/coordinator/messages")
                .then()
                .statusCode(201);
        events = awaitIdle(sam, conversation);
        assertThat(events.getString("items.findAll { it.kind == 'operator_message' }[-1].body.text"))
                .isEqualTo("/frobnicate \u29F5u0000 \u29F5ud800");

        // what the console offers: the conversation, its (no) pending proposals, every tool with its role
        given().auth()
                .oauth2(sam)
                .get("/api/coordinator/conversation")
                .then()
                .statusCode(200)
                .body("id", equalTo(conversation.toString()))
                .body("state", equalTo("idle"))
                .body("model_available", equalTo(true));
        given().auth()
                .oauth2(sam)
                .get("/api/coordinator/proposals")
                .then()
                .statusCode(200)
                .body("items.size()", equalTo(0));
        JsonPath tools = given().auth()
                .oauth2(sam)
                .get("/api/coordinator/tools")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
        assertThat(tools.getString("find { it.name == 'trust_host_key' }.confirmation"))
                .isEqualTo("always");
        assertThat(tools.getString("find { it.name == 'provision_auth_slot' }.role"))
                .isEqualTo("admin");
        assertThat(tools.getString("find { it.name == 'list_targets' }.role")).isEqualTo("viewer");
        given().auth()
                .oauth2(Tokens.forRoles("nobody-here", "viewer"))
                .get("/api/coordinator/conversation")
                .then()
                .statusCode(404);

        // the same conversation on the next visit; nobody else reads it, and it is no project session
        assertThat(post(sam, "/help")).isEqualTo(conversation);
        awaitIdle(sam, conversation);
        given().auth()
                .oauth2(Tokens.forRoles("mallory-nosy", "admin"))
                .get("/api/coordinator/events")
                .then()
                .statusCode(404);
        given().auth()
                .oauth2(Tokens.admin())
                .get("/api/sessions/" + conversation)
                .then()
                .statusCode(404);
        given().auth()
                .oauth2(Tokens.admin())
                .get("/api/sessions/" + conversation + "/events")
                .then()
                .statusCode(404);
        given().auth()
                .oauth2(sam)
                .contentType("application/json")
                .body(Map.of("text", ""))
                .post("/api/coordinator/messages")
                .then()
                .statusCode(400)
                .body("errors[0].field", containsString("text"));
    }

    @Test
    void aViewerIsOfferedNothingToConfirmAndEveryRefusalIsAudited() {
        String vic = Tokens.forRoles("vic-viewer", "viewer");
        List<String> changing = List.of(
                "/cockpit lab-1", "/trust", "/plan approve", "/plan execute", "/remove old-1", "/provision s lab-1");
        UUID conversation = null;
        for (String command : changing) {
            conversation = post(vic, command);
            awaitIdle(vic, conversation);
        }
        JsonPath events = events(vic);
        List<Map<String, Object>> results = kinds(events, "coordinator_tool_result");
        assertThat(results).hasSize(changing.size());
        assertThat(results)
                .allSatisfy(r ->
                        assertThat(r).extractingByKey("body").asString().contains("outcome=refused", "status=403"));
        assertThat(kinds(events, "coordinator_proposal")).isEmpty();
        assertThat(Sql.rows("SELECT 1 FROM session.coordinator_proposal WHERE conversation_id = ?", conversation))
                .isEmpty();
        assertThat(Sql.rows(
                        "SELECT 1 FROM session.outbox_event WHERE ce_type = ? AND actor = ?"
                                + " AND convert_from(data, 'UTF8') LIKE '%\"status\":403%'",
                        "io.devopsconsole.session.coordinator_tool.called.v1", "vic-viewer"))
                .hasSize(changing.size());
    }

    @Test
    void theCoordinatorsCodexCallsToolsAsTheOperatorAndAViewerIsRefusedAndAudited() {
        UUID session = Feed.newSession(null);
        Feed.send(session, 1, StreamKind.TURN_STARTED, null);
        Feed.send(
                session,
                2,
                StreamKind.APPROVAL_REQUESTED,
                Feed.payload()
                        .put("request_id", "req-coord")
                        .put("approval_kind", "command")
                        .put("command", "npm test")
                        .put("cwd", "/srv/app")
                        .put("reason", "tests"));
        String approval = await().atMost(Duration.ofSeconds(20))
                .until(
                        () -> given().auth()
                                .oauth2(Tokens.viewer())
                                .get("/api/sessions/" + session + "/approvals")
                                .then()
                                .extract()
                                .jsonPath()
                                .getString("items.find { it.request_id == 'req-coord' }.id"),
                        id -> id != null);
        String call = "CALL_TOOL:decide_approval {\"approval_id\":\"" + approval + "\",\"decision\":\"approved\"}";

        // a viewer's coordinator: the model calls the tool, the session API refuses the viewer's token
        String vera = Tokens.forRoles("vera-viewer", "viewer");
        UUID veras = post(vera, "please approve it " + call);
        JsonPath events = awaitIdle(vera, veras);
        Map<String, Object> result = kinds(events, "coordinator_tool_result").get(0);
        assertThat(result).extractingByKey("body").asString().contains("outcome=refused", "status=403", "via=model");
        assertThat(kinds(events, "agent_message_delta")).isNotEmpty();
        assertThat(kinds(events, "turn_completed")).hasSize(1);
        assertThat(Sql.rows("SELECT state FROM session.approval WHERE id = ?", UUID.fromString(approval))
                        .get(0))
                .containsEntry("state", "pending");
        List<Map<String, Object>> audited = Sql.rows(
                "SELECT actor, convert_from(data, 'UTF8') AS data FROM session.outbox_event WHERE ce_type = ?"
                        + " AND convert_from(data, 'UTF8') LIKE ?",
                "io.devopsconsole.session.coordinator_tool.called.v1",
                "%" + veras + "%");
        assertThat(audited).hasSize(1);
        assertThat(audited.get(0)).containsEntry("actor", "vera-viewer");
        assertThat((String) audited.get(0).get("data"))
                .contains("\"outcome\":\"refused\"", "\"status\":403", "\"tool\":\"decide_approval\"");

        // the session's operator: the same call succeeds, through the same API
        String olga = Tokens.operator();
        UUID olgas = post(olga, "approve it " + call);
        events = awaitIdle(olga, olgas);
        assertThat(events.getString("items.findAll { it.kind == 'coordinator_tool_result' }[-1].body.outcome"))
                .isEqualTo("ok");
        assertThat(Sql.rows("SELECT state, decided_by FROM session.approval WHERE id = ?", UUID.fromString(approval))
                        .get(0))
                .containsEntry("state", "approved")
                .containsEntry("decided_by", "olga-operator");

        // a thread this replica's server does not know (it lived on another replica's): a new thread, told
        // the conversation so far from the console's record
        String elsewhere = UUID.randomUUID().toString();
        Sql.exec("UPDATE session.session SET coordinator_thread = ? WHERE id = ?", elsewhere, olgas);
        post(olga, "what did I ask you before? REPEAT_CONTEXT");
        events = awaitIdle(olga, olgas);
        String told = events.getString("items.findAll { it.kind == 'item_completed' }[-1].body.text");
        assertThat(told)
                .contains("[Earlier in this conversation, from the console's record]")
                .contains("operator: approve it CALL_TOOL:decide_approval")
                .contains("tool decide_approval (ok)")
                .doesNotContain("operator: what did I ask you before?");
        assertThat((String) Sql.rows("SELECT coordinator_thread FROM session.session WHERE id = ?", olgas)
                        .get(0)
                        .get("coordinator_thread"))
                .isNotEqualTo(elsewhere);
        String resumed = (String) Sql.rows("SELECT coordinator_thread FROM session.session WHERE id = ?", olgas)
                .get(0)
                .get("coordinator_thread");
        post(olga, "again REPEAT_CONTEXT");
        events = awaitIdle(olga, olgas);
        assertThat(events.getString("items.findAll { it.kind == 'item_completed' }[-1].body.text"))
                .as("a thread that has had its first turn is not told again")
                .doesNotContain("[Earlier in this conversation");
        assertThat(Sql.rows("SELECT coordinator_thread FROM session.session WHERE id = ?", olgas)
                        .get(0))
                .containsEntry("coordinator_thread", resumed);

        // the next turn continues the same server-owned thread
        String thread = (String) Sql.rows("SELECT coordinator_thread FROM session.session WHERE id = ?", olgas)
                .get(0)
                .get("coordinator_thread");
        assertThat(thread).isNotBlank();
        post(olga, "thanks");
        events = awaitIdle(olga, olgas);
        assertThat(kinds(events, "turn_completed")).hasSizeGreaterThanOrEqualTo(2);
        assertThat(Sql.rows("SELECT coordinator_thread FROM session.session WHERE id = ?", olgas)
                        .get(0))
                .containsEntry("coordinator_thread", thread);
    }

    private void assertThatThrownByStream(String token) {
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> io.devopsconsole.testkit.SseClient.open(stream, token, null))
                .hasMessageContaining("404");
    }

    private UUID propose(UUID conversation, String args, String phrase, Duration ttl) {
        Proposal p = new Proposal(
                UUID.randomUUID(),
                conversation,
                "decide_approval",
                args,
                "deny the npm test request",
                phrase,
                "pending",
                SessionService.now().plus(ttl),
                null,
                null);
        conversations
                .propose(
                        p,
                        "pat-proposals",
                        SessionService.now(),
                        Conversations.Entry.of(
                                "coordinator_proposal",
                                null,
                                Conversations.body().put("proposal_id", p.id().toString())),
                        new io.devopsconsole.events.session.CoordinatorProposalDecided(
                                p.id(), conversation, p.tool(), p.summary(), "proposed", "pat-proposals"))
                .await()
                .atMost(Duration.ofSeconds(10));
        return p.id();
    }

    @Test
    void aProposalRunsOnceOnlyWithItsPhraseAndNeverAfterItExpires() {
        String pat = Tokens.forRoles("pat-proposals", "operator", "approver");
        UUID conversation = post(pat, "/help");
        awaitIdle(pat, conversation);
        UUID session = Feed.newSession(null);
        Feed.send(session, 1, StreamKind.TURN_STARTED, null);
        String approvals = "/api/sessions/" + session + "/approvals";
        for (String req : List.of("a", "b", "c")) {
            Feed.send(
                    session,
                    2 + "abc".indexOf(req),
                    StreamKind.APPROVAL_REQUESTED,
                    Feed.payload()
                            .put("request_id", "req-" + req)
                            .put("approval_kind", "command")
                            .put("command", "npm test " + req)
                            .put("cwd", "/srv/app")
                            .put("reason", "tests"));
        }
        await().atMost(Duration.ofSeconds(20))
                .until(() -> given().auth()
                                .oauth2(Tokens.viewer())
                                .get(approvals)
                                .then()
                                .extract()
                                .jsonPath()
                                .getList("items")
                                .size()
                        == 3);
        JsonPath listed = given().auth()
                .oauth2(Tokens.viewer())
                .get(approvals)
                .then()
                .extract()
                .jsonPath();
        String a = listed.getString("items.find { it.request_id == 'req-a' }.id");
        String b = listed.getString("items.find { it.request_id == 'req-b' }.id");
        String c = listed.getString("items.find { it.request_id == 'req-c' }.id");

        UUID first = propose(
                conversation,
                "{\"approval_id\":\"" + a + "\",\"decision\":\"denied\"}",
                "deny a",
                Duration.ofMinutes(5));
        String confirm = "/api/coordinator/proposals/" + first + "/confirm";
        given().auth()
                .oauth2(pat)
                .contentType("application/json")
                .body(Map.of("phrase", "deny b"))
                .post(confirm)
                .then()
                .statusCode(400)
                .body("errors[0].field", equalTo("phrase"));
        // another operator cannot confirm in pat's conversation
        given().auth()
                .oauth2(Tokens.forRoles("mallory-confirms", "admin"))
                .contentType("application/json")
                .body(Map.of("phrase", "deny a"))
                .post(confirm)
                .then()
                .statusCode(404);
        given().auth()
                .oauth2(pat)
                .contentType("application/json")
                .body(Map.of("phrase", "deny a"))
                .post(confirm)
                .then()
                .statusCode(202)
                .body("state", equalTo("confirmed"));
        given().auth()
                .oauth2(pat)
                .contentType("application/json")
                .body(Map.of("phrase", "deny a"))
                .post(confirm)
                .then()
                .statusCode(409);
        await().atMost(Duration.ofSeconds(20))
                .until(() -> "denied"
                        .equals(Sql.rows("SELECT state FROM session.approval WHERE id = ?", UUID.fromString(a))
                                .get(0)
                                .get("state")));

        // typed in the chat: the phrase confirms; typed again, it no longer matches a pending proposal
        UUID second = propose(
                conversation,
                "{\"approval_id\":\"" + b + "\",\"decision\":\"denied\"}",
                "deny b",
                Duration.ofMinutes(5));
        post(pat, "deny b");
        awaitIdle(pat, conversation);
        assertThat(Sql.rows("SELECT state, outcome FROM session.coordinator_proposal WHERE id = ?", second)
                        .get(0))
                .containsEntry("state", "confirmed")
                .containsEntry("outcome", "ok");
        assertThat(Sql.rows("SELECT state FROM session.approval WHERE id = ?", UUID.fromString(b))
                        .get(0))
                .containsEntry("state", "denied");
        long toolCalls = Sql.count(
                "SELECT count(*) FROM session.outbox_event WHERE ce_type = ? AND convert_from(data, 'UTF8') LIKE ?",
                "io.devopsconsole.session.coordinator_tool.called.v1",
                "%" + second + "%");
        assertThat(toolCalls).isEqualTo(1);

        // cancelled: it never runs, and a confirmation after it is 409
        UUID cancelled = propose(
                conversation,
                "{\"approval_id\":\"" + c + "\",\"decision\":\"denied\"}",
                "deny c now",
                Duration.ofMinutes(5));
        given().auth()
                .oauth2(pat)
                .post("/api/coordinator/proposals/" + cancelled + "/cancel")
                .then()
                .statusCode(200)
                .body("state", equalTo("cancelled"));
        given().auth()
                .oauth2(pat)
                .contentType("application/json")
                .body(Map.of("phrase", "deny c now"))
                .post("/api/coordinator/proposals/" + cancelled + "/confirm")
                .then()
                .statusCode(409);

        // expired: refused, and the sweep records the expiry once
        UUID third = propose(
                conversation,
                "{\"approval_id\":\"" + c + "\",\"decision\":\"denied\"}",
                "deny c",
                Duration.ofMillis(1));
        given().auth()
                .oauth2(pat)
                .contentType("application/json")
                .body(Map.of("phrase", "deny c"))
                .post("/api/coordinator/proposals/" + third + "/confirm")
                .then()
                .statusCode(409)
                .body("detail", containsString("expired"));
        await().atMost(Duration.ofSeconds(20))
                .until(() -> events(pat)
                                .getList(
                                        "items.findAll { it.kind == 'coordinator_proposal_decided' && it.body.decision == 'expired' && it.body.proposal_id == '"
                                                + third + "' }")
                                .size()
                        == 1);
        assertThat(Sql.rows("SELECT state FROM session.approval WHERE id = ?", UUID.fromString(c))
                        .get(0))
                .containsEntry("state", "pending");
    }
}
