package io.devopsconsole.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The PostgreSQL scripts/up runs: every login needs its password, also after a restart on the same data. */
class PostgresServerTest {

    @Test
    void noLoginWithoutItsPasswordAlsoAfterARestart(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("pg");
        for (int start = 0; start < 2; start++) {
            PostgresServer pg = PostgresServer.start(data, 0, "owner-pw", Map.of("audit_writer", "writer-pw"));
            try {
                assertThatThrownBy(() -> login(pg, "postgres", "")).isInstanceOf(SQLException.class);
                assertThatThrownBy(() -> login(pg, "postgres", "guess"))
                        .isInstanceOf(SQLException.class)
                        .hasMessageContaining("password authentication failed");
                assertThatThrownBy(() -> login(pg, "audit_writer", "")).isInstanceOf(SQLException.class);
                assertThat(login(pg, "postgres", "owner-pw")).isTrue();
                assertThat(login(pg, "audit_writer", "writer-pw")).isTrue();
            } finally {
                pg.stop();
            }
        }
    }

    private static boolean login(PostgresServer pg, String user, String password) throws SQLException {
        try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), user, password)) {
            return c.isValid(5);
        }
    }
}
