package io.devopsconsole.testkit;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
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

    private PostgresServer(EmbeddedPostgres embedded, String host, int port, String database, String user,
                           String password) {
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
            return new PostgresServer(null, uri.getHost(), uri.getPort() < 0 ? 5432 : uri.getPort(),
                    uri.getPath().substring(1), System.getenv().getOrDefault("DEVOPS_TEST_PG_USER", "postgres"),
                    System.getenv().getOrDefault("DEVOPS_TEST_PG_PASSWORD", "postgres"));
        }
        return start(null, 0);
    }

    /** Starts an embedded server; with a data directory the data survives restarts. */
    public static PostgresServer start(Path dataDir, int port) {
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
            EmbeddedPostgres pg = builder.start();
            return new PostgresServer(pg, "127.0.0.1", pg.getPort(), "postgres", "postgres", "postgres");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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

    /** {@code java ... PostgresServer <dataDir> <port>}: runs PostgreSQL until this JVM is stopped. */
    public static void main(String[] args) throws Exception {
        PostgresServer server = start(Path.of(args[0]), Integer.parseInt(args[1]));
        Runtime.getRuntime().addShutdownHook(new Thread(server::stop));
        System.out.println("postgres ready on " + server.jdbcUrl());
        new CountDownLatch(1).await();
    }
}
