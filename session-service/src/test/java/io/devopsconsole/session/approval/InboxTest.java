package io.devopsconsole.session.approval;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.devopsconsole.events.agent.StreamKind;
import io.devopsconsole.session.Feed;
import io.devopsconsole.testkit.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The attention inbox: approvals waiting in two sessions show up oldest first with their project,
 * each says whether the caller may decide it (the session's operator or an approver, never a viewer),
 * and a decided one leaves the inbox.
 */
@QuarkusTest
class InboxTest {

    private static String ask(UUID session, String requestId, String command) {
        return Feed.askApproval(session, requestId, command);
    }

    private static JsonPath inbox(String token) {
        return given().auth()
                .oauth2(token)
                .get("/api/approvals/pending")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
    }

    @Test
    void waitingApprovalsOfEverySessionWithWhoMayDecide() {
        UUID first = Feed.newSession(null);
        UUID second = Feed.newSession(null);
        String a = ask(first, "req-inbox-1", "npm test");
        String b = ask(second, "req-inbox-2", "rm -rf build && make \u202Eexe.evil");

        JsonPath asOperator = inbox(Tokens.operator());
        List<Map<String, Object>> mine =
                asOperator.getList("items.findAll { it.approval.id in ['" + a + "', '" + b + "'] }");
        assertThat(mine).hasSize(2);
        assertThat(asOperator.getString("items.find { it.approval.id == '" + a + "' }.project_name"))
                .isEqualTo("Payments API");
        assertThat(asOperator.getBoolean("items.find { it.approval.id == '" + a + "' }.may_decide"))
                .as("the session's own operator")
                .isTrue();
        List<String> order = asOperator.getList("items.approval.id");
        assertThat(order.indexOf(a)).as("oldest first").isLessThan(order.indexOf(b));
        assertThat(asOperator.getString("items.find { it.approval.id == '" + b + "' }.approval.command"))
                .contains("\u202E");

        JsonPath asViewer = inbox(Tokens.viewer());
        assertThat(asViewer.getBoolean("items.find { it.approval.id == '" + a + "' }.may_decide"))
                .isFalse();
        JsonPath asOtherOperator = inbox(Tokens.forRoles("oscar-other", "operator"));
        assertThat(asOtherOperator.getBoolean("items.find { it.approval.id == '" + a + "' }.may_decide"))
                .as("not this operator's session")
                .isFalse();
        JsonPath asApprover = inbox(Tokens.forRoles("ada-approver", "approver"));
        assertThat(asApprover.getBoolean("items.find { it.approval.id == '" + a + "' }.may_decide"))
                .isTrue();

        given().auth()
                .oauth2(Tokens.operator())
                .contentType("application/json")
                .body(Map.of("decision", "approved"))
                .post("/api/sessions/" + first + "/approvals/" + a + "/decision")
                .then()
                .statusCode(200);
        assertThat(inbox(Tokens.operator()).getList("items.approval.id", String.class))
                .doesNotContain(a)
                .contains(b);
        given().get("/api/approvals/pending").then().statusCode(401);
    }

    @Test
    void anApprovalOfASessionThatEndedExpiresAtOnceAndLeavesTheInbox() {
        UUID session = Feed.newSession(null);
        String approval = ask(session, "req-inbox-ended", "make deploy");
        given().auth()
                .oauth2(Tokens.operator())
                .contentType("application/json")
                .body("{\"reason\":\"going home\"}")
                .post("/api/sessions/" + session + "/stop")
                .then()
                .statusCode(200);
        Feed.send(session, 3, StreamKind.WORKER_STATE, Feed.payload().put("state", "stopped"));
        await().atMost(Duration.ofSeconds(20))
                .until(() -> "expired"
                        .equals(given().auth()
                                .oauth2(Tokens.viewer())
                                .get("/api/sessions/" + session + "/approvals")
                                .then()
                                .extract()
                                .jsonPath()
                                .getString("items.find { it.id == '" + approval + "' }.state")));
        assertThat(inbox(Tokens.approver()).getList("items.approval.id")).doesNotContain(approval);
    }
}
