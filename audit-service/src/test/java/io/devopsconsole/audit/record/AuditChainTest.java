package io.devopsconsole.audit.record;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.devopsconsole.events.EventEnvelope;
import io.devopsconsole.events.Topics;
import io.devopsconsole.events.onboarding.CodexReadinessObserved;
import io.devopsconsole.events.registry.ProjectCreated;
import io.devopsconsole.testkit.Sql;
import io.devopsconsole.testkit.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The hash chain: intact after ordinary ingest, and broken at the right record when a privileged
 * connection modifies, deletes or reorders rows. Each test repairs what it tampered with.
 */
@QuarkusTest
class AuditChainTest {

    static ValidatableResponse verify() {
        return given().auth()
                .oauth2(Tokens.viewer())
                .get("/api/audit/verify")
                .then()
                .statusCode(200);
    }

    static List<EventEnvelope> ingest(int n) {
        EventEnvelope last = null;
        List<EventEnvelope> all = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            last = AuditIngestTest.publish(
                    new ProjectCreated(UUID.randomUUID(), "chain-" + i, "C", null, "/srv/c", 0), "olga");
            all.add(last);
        }
        EventEnvelope lastOne = last;
        await().atMost(Duration.ofSeconds(30)).until(() -> AuditIngestTest.recordsFor(lastOne.id()) == 1);
        for (EventEnvelope e : all) {
            await().atMost(Duration.ofSeconds(30)).until(() -> AuditIngestTest.recordsFor(e.id()) == 1);
        }
        return all;
    }

    static long seqOf(EventEnvelope e) {
        return ((Number) Sql.rows("SELECT seq FROM audit.audit_record WHERE event_id = ?", e.id())
                        .get(0)
                        .get("seq"))
                .longValue();
    }

    /** The verify-failure counter as Prometheus exposes it. */
    static double verifyFailures() {
        String metrics =
                given().get("/q/metrics").then().statusCode(200).extract().asString();
        return metrics.lines()
                .filter(l -> l.startsWith("audit_verify_failures_total"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .findFirst()
                .orElse(0);
    }

    /** Runs tampering SQL with the append-only triggers off, as an attacker with the owner's rights could. */
    static void tamper(String sql) {
        Sql.execute("ALTER TABLE audit.audit_record DISABLE TRIGGER audit_record_append_only");
        try {
            Sql.execute(sql);
        } finally {
            Sql.execute("ALTER TABLE audit.audit_record ENABLE TRIGGER audit_record_append_only");
        }
    }

    @Test
    void theChainIsIntactAfterOrdinaryIngestFromEveryDomainTopic() {
        ingest(5);
        EventEnvelope onboarding = AuditIngestTest.publishTo(
                Topics.ONBOARDING,
                new CodexReadinessObserved(UUID.randomUUID(), UUID.randomUUID(), "ready", "codex-cli 0.169.0"),
                "olga");
        await().atMost(Duration.ofSeconds(30)).until(() -> AuditIngestTest.recordsFor(onboarding.id()) == 1);
        verify().body("intact", equalTo(true)).body("first_broken_link", org.hamcrest.Matchers.nullValue());
        long verified = ((Number) verify().extract().path("verified_records")).longValue();
        assertThat(verified).isEqualTo(Sql.count("SELECT count(*) FROM audit.audit_record WHERE hash IS NOT NULL"));
        assertThat(Sql.rows("SELECT hash, prev_hash FROM audit.audit_record WHERE event_id = ?", onboarding.id())
                        .get(0))
                .satisfies(r -> assertThat((String) r.get("hash")).hasSize(64));
    }

    @Test
    void aModifiedRecordIsFound() {
        List<EventEnvelope> events = ingest(3);
        long seq = seqOf(events.get(1));
        String original = (String) Sql.rows("SELECT summary FROM audit.audit_record WHERE seq = ?", seq)
                .get(0)
                .get("summary");
        tamper("UPDATE audit.audit_record SET summary = 'nothing happened here' WHERE seq = " + seq);
        try {
            double failuresBefore = verifyFailures();
            verify().body("intact", equalTo(false))
                    .body("first_broken_link.seq", equalTo((int) seq))
                    .body("first_broken_link.reason", containsString("modified"));
            assertThat(verifyFailures()).isEqualTo(failuresBefore + 1);
        } finally {
            tamper("UPDATE audit.audit_record SET summary = '" + original.replace("'", "''") + "' WHERE seq = " + seq);
        }
        verify().body("intact", equalTo(true));
    }

    /**
     * Verify goes on after a broken link: a damaged record early in the chain cannot hide a later
     * one, and every broken link is listed (ADR 0018).
     */
    @Test
    void everyBrokenLinkIsReportedNotOnlyTheFirst() {
        List<EventEnvelope> events = ingest(5);
        long first = seqOf(events.get(1));
        long second = seqOf(events.get(3));
        String a = (String) Sql.rows("SELECT summary FROM audit.audit_record WHERE seq = ?", first)
                .get(0)
                .get("summary");
        String b = (String) Sql.rows("SELECT summary FROM audit.audit_record WHERE seq = ?", second)
                .get(0)
                .get("summary");
        tamper("UPDATE audit.audit_record SET summary = 'innocent' WHERE seq IN (" + first + ", " + second + ")");
        try {
            verify().body("intact", equalTo(false))
                    .body("broken_link_count", equalTo(2))
                    .body("broken_links.seq", org.hamcrest.Matchers.contains((int) first, (int) second))
                    .body("first_broken_link.seq", equalTo((int) first))
                    .body("verified_records", equalTo((int)
                            Sql.count("SELECT count(*) FROM audit.audit_record WHERE hash IS NOT NULL")));
        } finally {
            tamper("UPDATE audit.audit_record SET summary = '" + a.replace("'", "''") + "' WHERE seq = " + first);
            tamper("UPDATE audit.audit_record SET summary = '" + b.replace("'", "''") + "' WHERE seq = " + second);
        }
        verify().body("intact", equalTo(true)).body("broken_link_count", equalTo(0));
    }

    /** The hash covers every stored field: the record id, the redaction flag, the reported claims, the form itself. */
    @ParameterizedTest
    @ValueSource(
            strings = {
                "id = gen_random_uuid()",
                "redacted = NOT redacted",
                "reported = '{\"source\":\"/x\"}'",
                "hash_version = 1"
            })
    void changingAnyStoredFieldBreaksTheChain(String change) {
        List<EventEnvelope> events = ingest(2);
        long seq = seqOf(events.get(0));
        Sql.execute("CREATE TABLE audit.field_copy AS SELECT * FROM audit.audit_record WHERE seq = " + seq);
        try {
            tamper("UPDATE audit.audit_record SET " + change + " WHERE seq = " + seq);
            verify().body("intact", equalTo(false)).body("broken_links.seq", org.hamcrest.Matchers.hasItem((int) seq));
        } finally {
            tamper("DELETE FROM audit.audit_record WHERE seq = " + seq
                    + "; INSERT INTO audit.audit_record OVERRIDING SYSTEM VALUE SELECT * FROM audit.field_copy");
            Sql.execute("DROP TABLE audit.field_copy");
        }
        verify().body("intact", equalTo(true));
    }

    @Test
    void aDeletedRecordIsFound() {
        List<EventEnvelope> events = ingest(3);
        long seq = seqOf(events.get(1));
        Sql.execute("CREATE TABLE audit.deleted_copy AS SELECT * FROM audit.audit_record WHERE seq = " + seq);
        try {
            tamper("DELETE FROM audit.audit_record WHERE seq = " + seq);
            verify().body("intact", equalTo(false))
                    .body("first_broken_link.seq", equalTo((int) seqOf(events.get(2))))
                    .body("first_broken_link.reason", containsString("removed or reordered"));
        } finally {
            tamper("INSERT INTO audit.audit_record OVERRIDING SYSTEM VALUE SELECT * FROM audit.deleted_copy");
            Sql.execute("DROP TABLE audit.deleted_copy");
        }
        verify().body("intact", equalTo(true));
    }

    @Test
    void reorderedRecordsAreFound() {
        List<EventEnvelope> events = ingest(3);
        long a = seqOf(events.get(0));
        long b = seqOf(events.get(1));
        // swap the two rows' positions in the log (delete both, re-insert each at the other's seq)
        String columns =
                "id, event_id, event_time, recorded_at, source, type, actor, action, resource_type, resource_id,"
                        + " resource_name, session_id, risk, summary, details, topic, kafka_partition, kafka_offset, prev_hash, hash,"
                        + " hash_version, reported, redacted";
        Sql.execute(
                "CREATE TABLE audit.swap_copy AS SELECT * FROM audit.audit_record WHERE seq IN (" + a + ", " + b + ")");
        try {
            tamper("DELETE FROM audit.audit_record WHERE seq IN (" + a + ", " + b + ");"
                    + "INSERT INTO audit.audit_record (seq, " + columns
                    + ") OVERRIDING SYSTEM VALUE SELECT CASE WHEN seq = "
                    + a + " THEN " + b + " ELSE " + a + " END, " + columns + " FROM audit.swap_copy");
            verify().body("intact", equalTo(false)).body("first_broken_link.seq", equalTo((int) a));
        } finally {
            tamper("DELETE FROM audit.audit_record WHERE seq IN (" + a + ", " + b + ");"
                    + "INSERT INTO audit.audit_record (seq, " + columns + ") OVERRIDING SYSTEM VALUE SELECT seq, "
                    + columns
                    + " FROM audit.swap_copy");
            Sql.execute("DROP TABLE audit.swap_copy");
        }
        verify().body("intact", equalTo(true));
    }

    @Test
    void aTimeRangeIsVerifiedOnItsOwnIncludingTheLinkIntoIt() {
        List<EventEnvelope> events = ingest(4);
        long second = seqOf(events.get(1));
        long third = seqOf(events.get(2));
        Object thirdAt = Sql.rows("SELECT recorded_at FROM audit.audit_record WHERE seq = ?", third)
                .get(0)
                .get("recorded_at");
        String fromThird = java.time.OffsetDateTime.ofInstant(
                        ((java.sql.Timestamp) thirdAt).toInstant(), java.time.ZoneOffset.UTC)
                .toString();
        String original = (String) Sql.rows("SELECT summary FROM audit.audit_record WHERE seq = ?", second)
                .get(0)
                .get("summary");
        tamper("UPDATE audit.audit_record SET summary = 'edited' WHERE seq = " + second);
        try {
            // the whole chain is broken at the edited record ...
            verify().body("intact", equalTo(false)).body("first_broken_link.seq", equalTo((int) second));
            // ... a range that ends before it is intact, one that contains it is not
            given().auth()
                    .oauth2(Tokens.viewer())
                    .queryParam("to", fromThird)
                    .get("/api/audit/verify")
                    .then()
                    .statusCode(200)
                    .body("intact", equalTo(false))
                    .body("first_broken_link.seq", equalTo((int) second));
            given().auth()
                    .oauth2(Tokens.viewer())
                    .queryParam("from", fromThird)
                    .get("/api/audit/verify")
                    .then()
                    .statusCode(200)
                    .body("intact", equalTo(true))
                    .body("verified_records", equalTo((int) Sql.count(
                            "SELECT count(*) FROM audit.audit_record WHERE seq >= ? AND hash IS NOT NULL", third)));
        } finally {
            tamper("UPDATE audit.audit_record SET summary = '" + original.replace("'", "''") + "' WHERE seq = "
                    + second);
        }
        // a range starting right after a removed record still checks the link into it
        Sql.execute("CREATE TABLE audit.range_copy AS SELECT * FROM audit.audit_record WHERE seq = " + second);
        try {
            tamper("DELETE FROM audit.audit_record WHERE seq = " + second);
            given().auth()
                    .oauth2(Tokens.viewer())
                    .queryParam("from", fromThird)
                    .get("/api/audit/verify")
                    .then()
                    .statusCode(200)
                    .body("intact", equalTo(false))
                    .body("first_broken_link.seq", equalTo((int) third));
        } finally {
            tamper("INSERT INTO audit.audit_record OVERRIDING SYSTEM VALUE SELECT * FROM audit.range_copy");
            Sql.execute("DROP TABLE audit.range_copy");
        }
        verify().body("intact", equalTo(true));
        given().auth()
                .oauth2(Tokens.viewer())
                .queryParam("from", fromThird)
                .queryParam("to", fromThird)
                .get("/api/audit/verify")
                .then()
                .statusCode(400)
                .body("errors[0].field", equalTo("to"));
    }
}
