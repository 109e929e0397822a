package io.devopsconsole.testkit;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * A real PostgreSQL server (zonky embedded binaries, PostgreSQL 18) bound to 127.0.0.1, or an
 * existing server named by {@code DEVOPS_TEST_PG_JDBC_URL} (+ {@code _USER}, {@code _PASSWORD}).
 */
public final class PostgresServer {

    private final EmbeddedPostgres embedded;
    private final String host;
    private final int port;
    private final String database;
    private final String user;
    private final String password;

    private PostgresServer(
            EmbeddedPostgres embedded, String host, int port, String database, String user, String password) {
        this.embedded = embedded;
        this.host = host;
        this.port = port;
        this.database = database;
        this.user = user;
        this.password = password;
    }

    /** Starts an embedded server on a free port with throw-away data, or attaches to the configured one. */
    public static PostgresServer startForTests() {
        String url = System.getenv("DEVOPS_TEST_PG_JDBC_URL");
        if (url != null && !url.isBlank()) {
            java.net.URI uri = java.net.URI.create(url.substring("jdbc:".length()));
            return new PostgresServer(
                    null,
                    uri.getHost(),
                    uri.getPort() < 0 ? 5432 : uri.getPort(),
                    uri.getPath().substring(1),
                    System.getenv().getOrDefault("DEVOPS_TEST_PG_USER", "postgres"),
                    System.getenv().getOrDefault("DEVOPS_TEST_PG_PASSWORD", "postgres"));
        }
        return start(null, 0);
    }

    /** Starts an embedded server; with a data directory the data survives restarts. */
    public static PostgresServer start(Path dataDir, int port) {
        return start(dataDir, port, null, Map.of());
    }

    /**
     * Starts an embedded server. With a data directory and a {@code password}, every login needs a
     * password (scram-sha-256 in {@code pg_hba.conf}, for the superuser {@code postgres} and for each
     * of {@code loginRoles}, created when missing): nothing trusts a passwordless loopback login.
     */
    public static PostgresServer start(Path dataDir, int port, String password, Map<String, String> loginRoles) {
        try {
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                    .setServerConfig("listen_addresses", "127.0.0.1")
                    .setServerConfig("max_connections", "300")
                    .setServerConfig("fsync", dataDir == null ? "off" : "on")
                    .setServerConfig("synchronous_commit", dataDir == null ? "off" : "on");
            if (dataDir != null) {
                builder.setDataDirectory(dataDir).setCleanDataDirectory(false);
            }
            if (port > 0) {
                builder.setPort(port);
            }
            if (password != null) {
                // the readiness check logs in too: with the password once pg_hba asks for one
                builder.setConnectConfig("password", password);
            }
            EmbeddedPostgres pg = builder.start();
            if (password != null && dataDir != null) {
                requirePasswords(pg, dataDir, password, loginRoles);
            }
            return new PostgresServer(
                    pg, "127.0.0.1", pg.getPort(), "postgres", "postgres", password == null ? "postgres" : password);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void requirePasswords(EmbeddedPostgres pg, Path dataDir, String password, Map<String, String> roles)
            throws IOException {
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(
                        "jdbc:postgresql://127.0.0.1:" + pg.getPort() + "/postgres", "postgres", password);
                java.sql.Statement st = c.createStatement()) {
            st.execute("SET password_encryption = 'scram-sha-256'");
            st.execute("ALTER ROLE postgres PASSWORD " + literal(password));
            for (Map.Entry<String, String> role : roles.entrySet()) {
                if (!role.getKey().matches("[a-z_][a-z0-9_]{0,62}")) {
                    throw new IllegalArgumentException("not a plain role name: " + role.getKey());
                }
                boolean exists;
                try (java.sql.ResultSet rs =
                        st.executeQuery("SELECT 1 FROM pg_roles WHERE rolname = " + literal(role.getKey()))) {
                    exists = rs.next();
                }
                st.execute((exists ? "ALTER" : "CREATE") + " ROLE \"" + role.getKey() + "\" LOGIN PASSWORD "
                        + literal(role.getValue()));
            }
            java.nio.file.Files.writeString(
                    dataDir.resolve("pg_hba.conf"),
                    "# Written by the DevOps Console launcher: every login needs a password.\n"
                            + "local all all scram-sha-256\n"
                            + "host  all all 127.0.0.1/32 scram-sha-256\n"
                            + "host  all all ::1/128 scram-sha-256\n");
            st.execute("SELECT pg_reload_conf()");
        } catch (java.sql.SQLException e) {
            throw new IOException("could not require passwords for PostgreSQL logins: " + e.getMessage(), e);
        }
    }

    private static String literal(String value) {
        return "'" + value.replace("'", "''") + "'";
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://" + host + ":" + port + "/" + database;
    }

    public String reactiveUrl() {
        return "postgresql://" + host + ":" + port + "/" + database;
    }

    public String user() {
        return user;
    }

    public String password() {
        return password;
    }

    public int port() {
        return port;
    }

    public void stop() {
        if (embedded != null) {
            try {
                embedded.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /**
     * {@code java ... PostgresServer <dataDir> <port>}: runs PostgreSQL until this JVM is stopped.
     * {@code DEVOPS_PG_PASSWORD} (the superuser's) makes every login need a password;
     * {@code DEVOPS_PG_LOGIN_ROLES} ({@code role=password,...}) are further login roles with theirs.
     */
    public static void main(String[] args) throws Exception {
        String password = System.getenv("DEVOPS_PG_PASSWORD");
        Map<String, String> roles = new java.util.LinkedHashMap<>();
        String listed = System.getenv().getOrDefault("DEVOPS_PG_LOGIN_ROLES", "");
        for (String entry : listed.split(",")) {
            int eq = entry.indexOf('=');
            if (eq > 0) {
                roles.put(entry.substring(0, eq).trim(), entry.substring(eq + 1));
            }
        }
        if (password == null || password.isEmpty()) {
            System.out.println("WARNING: DEVOPS_PG_PASSWORD is not set: PostgreSQL keeps its existing login rules");
            password = null;
        }
        PostgresServer server = start(Path.of(args[0]), Integer.parseInt(args[1]), password, roles);
        Runtime.getRuntime().addShutdownHook(new Thread(server::stop));
        System.out.println("postgres ready on " + server.jdbcUrl());
        new CountDownLatch(1).await();
    }
}
