package io.devopsconsole.audit.record;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;

import io.devopsconsole.audit.TestInfra;
import io.devopsconsole.events.EventEnvelope;
import io.devopsconsole.events.registry.ProjectCreated;
import io.devopsconsole.testkit.PostgresServer;
import io.devopsconsole.testkit.Sql;
import io.devopsconsole.testkit.TestInfrastructure;
import io.devopsconsole.testkit.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The role the service runs as can add and read audit records, and nothing else. */
@QuarkusTest
class AuditRuntimeRoleTest {

    @Inject
    Pool pool;

    static long storedSeq;

    static Connection asRuntimeRole() throws SQLException {
        PostgresServer pg = TestInfrastructure.postgres();
        return DriverManager.getConnection(pg.jdbcUrl(), TestInfra.RUNTIME_ROLE, pg.password());
    }

    long someStoredRecord() {
        EventEnvelope e = AuditIngestTest.publish(
                new ProjectCreated(UUID.randomUUID(), "role", "Role", null, "/srv/role", 0), "rita");
        await().atMost(Duration.ofSeconds(30)).until(() -> AuditIngestTest.recordsFor(e.id()) == 1);
        return ((Number) Sql.rows("SELECT seq FROM audit.audit_record WHERE event_id = ?", e.id())
                        .get(0)
                        .get("seq"))
                .longValue();
    }

    @Test
    void theServiceItselfConnectsAsTheRuntimeRole() {
        String user = pool.query("SELECT current_user AS u")
                .execute()
                .await()
                .atMost(Duration.ofSeconds(10))
                .iterator()
                .next()
                .getString("u");
        assertThat(user).isEqualTo(TestInfra.RUNTIME_ROLE);
        assertThat(Sql.count(
                        "SELECT count(*) FROM pg_roles WHERE rolname = ? AND NOT rolsuper", TestInfra.RUNTIME_ROLE))
                .isEqualTo(1);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "UPDATE audit.audit_record SET actor = 'mallory' WHERE seq = %d",
                "UPDATE audit.audit_record SET hash = NULL, prev_hash = NULL WHERE seq = %d",
                "DELETE FROM audit.audit_record WHERE seq = %d",
                "DELETE FROM audit.audit_record WHERE seq <= %d AND set_config('devops_audit.pruning', 'on', false) = 'on'",
                "TRUNCATE audit.audit_record /* %d */",
                "ALTER TABLE audit.audit_record DISABLE TRIGGER audit_record_append_only /* %d */",
                "DROP TABLE audit.audit_record /* %d */",
                "INSERT INTO audit.audit_chain_anchor (pruned_through_seq, anchor_hash, pruned_count, oldest_recorded_at,"
                        + " newest_recorded_at, cutoff) VALUES (%d, 'forged', 1, now(), now(), now())",
                "UPDATE audit.audit_chain_anchor SET anchor_hash = 'x' WHERE pruned_through_seq < %d",
                "CREATE OR REPLACE FUNCTION audit.audit_retention_floor() RETURNS interval LANGUAGE sql AS $$ SELECT interval '0' $$ /* %d */",
            })
    void theRuntimeRoleCannotChangeOrRemoveRecords(String statement) throws SQLException {
        if (storedSeq == 0) {
            storedSeq = someStoredRecord();
        }
        String before = String.valueOf(Sql.rows("SELECT * FROM audit.audit_record WHERE seq = ?", storedSeq));
        try (Connection c = asRuntimeRole();
                Statement st = c.createStatement()) {
            assertThatThrownBy(() -> st.execute(String.format(statement, storedSeq)))
                    .isInstanceOf(SQLException.class)
                    .satisfies(e -> assertThat(((SQLException) e).getSQLState())
                            .as(e.getMessage())
                            .isIn("42501"))
                    .hasMessageMatching("(?s).*(permission denied|must be owner).*")
                    .hasMessageNotContaining("append-only"); // refused by privileges, not merely by the trigger
        }
        assertThat(String.valueOf(Sql.rows("SELECT * FROM audit.audit_record WHERE seq = ?", storedSeq)))
                .isEqualTo(before);
    }

    @Test
    void theRuntimeRoleCannotPruneRecordsYoungerThanTheFloorTheOwnerSet() throws SQLException {
        long seq = someStoredRecord();
        try (Connection c = asRuntimeRole();
                Statement st = c.createStatement()) {
            assertThatThrownBy(() -> st.execute("SELECT * FROM audit.audit_prune(now() + interval '1 day', 1000)"))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("retention floor");
        }
        assertThat(Sql.count("SELECT count(*) FROM audit.audit_record WHERE seq = ?", seq))
                .isEqualTo(1);
    }

    @Test
    void theRuntimeRoleMayAppendAndRead() throws SQLException {
        try (Connection c = asRuntimeRole();
                Statement st = c.createStatement()) {
            assertThat(st.execute("SELECT count(*) FROM audit.audit_record")).isTrue();
        }
        assertThat(Sql.count(
                        "SELECT count(*) FROM information_schema.role_table_grants WHERE grantee = ?"
                                + " AND table_schema = 'audit' AND table_name = 'audit_record' AND privilege_type NOT IN ('SELECT', 'INSERT')",
                        TestInfra.RUNTIME_ROLE))
                .isZero();
    }

    /** The SIEM feed's position: the runtime role can neither set it (silence or replay the feed) nor move it back. */
    @Test
    void theRuntimeRoleCannotSetThePublicationPositionOnlyMoveItForwardLogged() throws SQLException {
        long seq = someStoredRecord();
        await().atMost(Duration.ofSeconds(30))
                .until(() -> Sql.count("SELECT last_seq FROM audit.audit_publication") >= seq);
        long position = Sql.count("SELECT last_seq FROM audit.audit_publication");
        try (Connection c = asRuntimeRole();
                Statement st = c.createStatement()) {
            assertThatThrownBy(() -> st.execute("UPDATE audit.audit_publication SET last_seq = 0"))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("permission denied");
            assertThatThrownBy(() -> st.execute("SELECT audit.audit_publication_advance(" + (position - 1) + ")"))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("only moves forward");
            assertThatThrownBy(
                            () -> st.execute("SELECT audit.audit_publication_advance(" + (position + 1_000_000) + ")"))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("cannot pass the newest record");
            assertThatThrownBy(() -> st.execute("DELETE FROM audit.audit_publication_log"))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("permission denied");
        }
        assertThat(Sql.count("SELECT last_seq FROM audit.audit_publication")).isGreaterThanOrEqualTo(position);
        // every move the publisher made is on record, and they join up
        assertThat(Sql.count("SELECT count(*) FROM audit.audit_publication_log WHERE through_seq >= ?", seq))
                .isPositive();
        assertThat(Sql.count(
                        "SELECT count(*) FROM audit.audit_publication_log l WHERE l.seq > (SELECT min(seq) FROM audit.audit_publication_log) AND NOT EXISTS"
                                + " (SELECT 1 FROM audit.audit_publication_log p WHERE p.through_seq = l.from_seq)"))
                .isZero();
    }

    @Test
    void runningRetentionWithoutAPolicyIsAConflict() {
        given().auth()
                .oauth2(Tokens.admin())
                .post("/api/audit/retention/run")
                .then()
                .statusCode(409)
                .contentType("application/problem+json")
                .body("detail", containsString("max-age"));
        given().auth()
                .oauth2(Tokens.viewer())
                .get("/api/audit/retention")
                .then()
                .statusCode(200);
    }
}
