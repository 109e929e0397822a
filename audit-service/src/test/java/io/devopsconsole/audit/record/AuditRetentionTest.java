package io.devopsconsole.audit.record;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.devopsconsole.events.EventEnvelope;
import io.devopsconsole.events.registry.ProjectCreated;
import io.devopsconsole.testkit.Sql;
import io.devopsconsole.testkit.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Retention prunes the oldest records as a prefix of the chain, keeps an anchor and says so in
 * the chain; verification still holds afterwards and still catches tampering at the seam.
 */
@QuarkusTest
@TestProfile(AuditRetentionTest.FourSecondRetention.class)
class AuditRetentionTest {

    public static class FourSecondRetention implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("devops.audit.retention.max-age", "PT4S", "devops.audit.retention.batch", "400");
        }
    }

    static List<EventEnvelope> publishAndWait(String actor, int n) {
        List<EventEnvelope> sent = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            sent.add(AuditIngestTest.publish(
                    new ProjectCreated(UUID.randomUUID(), "keep-" + i, "Keep", null, "/srv/k", 0), actor));
        }
        await().atMost(Duration.ofSeconds(30))
                .until(() -> Sql.count("SELECT count(*) FROM audit.audit_record WHERE actor = ?", actor) == n);
        return sent;
    }

    static JsonPath verify() {
        return given().auth()
                .oauth2(Tokens.viewer())
                .get("/api/audit/verify")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
    }

    @Test
    void oldRecordsArePrunedWithAnAnchorAndARecordOfThePruning() throws Exception {
        String oldActor = "old-" + UUID.randomUUID();
        String newActor = "new-" + UUID.randomUUID();
        publishAndWait(oldActor, 3);
        Thread.sleep(4_500);
        publishAndWait(newActor, 2);
        long firstNew = Sql.count("SELECT min(seq) FROM audit.audit_record WHERE actor = ?", newActor);
        long due = Sql.count("SELECT count(*) FROM audit.audit_record WHERE seq < ?", firstNew);

        JsonPath run = given().auth()
                .oauth2(Tokens.admin())
                .post("/api/audit/retention/run")
                .then()
                .statusCode(200)
                .body("max_age", equalTo("PT4S"))
                .extract()
                .jsonPath();
        assertThat(run.getLong("pruned_records")).isEqualTo(due).isGreaterThanOrEqualTo(3);
        List<Map<String, Object>> steps = run.getList("steps");
        assertThat(steps).isNotEmpty();
        // steps are contiguous prefixes, each at most one batch
        long expectedFirst = ((Number) steps.get(0).get("first_seq")).longValue();
        for (Map<String, Object> step : steps) {
            assertThat(((Number) step.get("first_seq")).longValue()).isGreaterThanOrEqualTo(expectedFirst);
            assertThat(((Number) step.get("pruned_count")).longValue()).isBetween(1L, 400L);
            expectedFirst = ((Number) step.get("last_seq")).longValue() + 1;
        }
        Map<String, Object> last = steps.get(steps.size() - 1);

        assertThat(Sql.count("SELECT count(*) FROM audit.audit_record WHERE actor = ?", oldActor))
                .isZero();
        assertThat(Sql.count("SELECT count(*) FROM audit.audit_record WHERE actor = ?", newActor))
                .isEqualTo(2);
        // the first kept record links to the anchor: the hash of the last pruned one
        Map<String, Object> anchor = Sql.rows("SELECT * FROM audit.audit_chain_anchor ORDER BY seq DESC LIMIT 1")
                .get(0);
        assertThat(anchor.get("anchor_hash")).isEqualTo(last.get("anchor_hash"));
        assertThat(Sql.rows("SELECT prev_hash FROM audit.audit_record ORDER BY seq LIMIT 1")
                        .get(0)
                        .get("prev_hash"))
                .isEqualTo(anchor.get("anchor_hash"));
        // each step is described in the chain itself, by the admin who ran it
        given().auth()
                .oauth2(Tokens.viewer())
                .queryParam("resource_type", "audit_log")
                .queryParam("limit", 100)
                .get("/api/audit/events")
                .then()
                .statusCode(200)
                .body("items.find { it.id == '" + last.get("record_id") + "' }.summary", containsString("pruned"))
                .body(
                        "items.find { it.id == '" + last.get("record_id") + "' }.details.anchor_hash",
                        equalTo(last.get("anchor_hash")))
                .body("items.find { it.id == '" + last.get("record_id") + "' }.type", equalTo(RetentionService.TYPE));

        JsonPath verified = verify();
        assertThat(verified.getBoolean("intact")).as(verified.prettify()).isTrue();
        assertThat(verified.getString("anchor.anchor_hash")).isEqualTo(last.get("anchor_hash"));
        assertThat(verified.getLong("verified_records"))
                .isEqualTo(Sql.count("SELECT count(*) FROM audit.audit_record WHERE hash IS NOT NULL"));
        given().auth()
                .oauth2(Tokens.viewer())
                .get("/api/audit/retention")
                .then()
                .statusCode(200)
                .body("max_age", equalTo("PT4S"))
                .body("anchors[0].anchor_hash", equalTo(last.get("anchor_hash")));

        // running again at once never prunes what is younger than the cutoff (on a slow machine the records
        // above may have aged out already, so how many it prunes is not fixed); the chain stays verifiable
        publishAndWait("young-" + UUID.randomUUID(), 1);
        List<Map<String, Object>> young =
                Sql.rows("SELECT id FROM audit.audit_record WHERE recorded_at > now() - interval '2 seconds'");
        given().auth()
                .oauth2(Tokens.admin())
                .post("/api/audit/retention/run")
                .then()
                .statusCode(200);
        for (Map<String, Object> row : young) {
            assertThat(Sql.count("SELECT count(*) FROM audit.audit_record WHERE id = ?", row.get("id")))
                    .isEqualTo(1);
        }
        assertThat(young).isNotEmpty();
        assertThat(verify().getBoolean("intact")).isTrue();
        // new records chain on after the retention record
        publishAndWait("after-" + UUID.randomUUID(), 1);
        assertThat(verify().getBoolean("intact")).isTrue();
    }

    @Test
    void deletingTheFirstKeptRecordOrForgingAnAnchorIsFound() throws Exception {
        publishAndWait("seam-" + UUID.randomUUID(), 2);
        Thread.sleep(4_500);
        publishAndWait("seam-new-" + UUID.randomUUID(), 3);
        given().auth()
                .oauth2(Tokens.admin())
                .post("/api/audit/retention/run")
                .then()
                .statusCode(200);
        assertThat(verify().getBoolean("intact")).isTrue();

        Map<String, Object> first = Sql.rows("SELECT seq, hash FROM audit.audit_record ORDER BY seq LIMIT 1")
                .get(0);
        long seq = ((Number) first.get("seq")).longValue();
        // a deleted first record: the next one no longer links to the anchor
        Sql.execute("CREATE TABLE audit.first_copy AS SELECT * FROM audit.audit_record WHERE seq = " + seq);
        AuditChainTest.tamper("DELETE FROM audit.audit_record WHERE seq = " + seq);
        try {
            JsonPath broken = verify();
            assertThat(broken.getBoolean("intact")).isFalse();
            assertThat(broken.getString("first_broken_link.reason")).contains("previous-hash");

            // hiding the deletion behind a forged anchor (as a privileged intruder could) is found too
            Sql.execute("INSERT INTO audit.audit_chain_anchor (pruned_through_seq, anchor_hash, pruned_count,"
                    + " oldest_recorded_at, newest_recorded_at, cutoff) VALUES (" + seq + ", '" + first.get("hash")
                    + "', 1, now(), now(), now())");
            try {
                JsonPath forged = verify();
                assertThat(forged.getBoolean("intact")).isFalse();
                assertThat(forged.getString("first_broken_link.reason")).contains("anchor");
            } finally {
                Sql.execute("ALTER TABLE audit.audit_chain_anchor DISABLE TRIGGER audit_chain_anchor_append_only");
                Sql.execute("DELETE FROM audit.audit_chain_anchor WHERE anchor_hash = '" + first.get("hash") + "'");
                Sql.execute("ALTER TABLE audit.audit_chain_anchor ENABLE TRIGGER audit_chain_anchor_append_only");
            }
        } finally {
            AuditChainTest.tamper(
                    "INSERT INTO audit.audit_record OVERRIDING SYSTEM VALUE SELECT * FROM audit.first_copy");
            Sql.execute("DROP TABLE audit.first_copy");
        }
        assertThat(verify().getBoolean("intact")).isTrue();
    }
}
