package io.devopsconsole.agent;

import io.devopsconsole.testkit.TestInfrastructure;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * session-service as its own process (the jar the build packaged just before this module), on the
 * same PostgreSQL, Kafka and OIDC stub as this module's tests: the end-to-end path operator
 * message → session-service → runner → codex → runner → session-service → SSE.
 */
public final class SessionServiceProcess implements AutoCloseable {

    private static SessionServiceProcess shared;

    private final Process process;
    private final String baseUrl;

    private SessionServiceProcess(Process process, String baseUrl) {
        this.process = process;
        this.baseUrl = baseUrl;
    }

    /** One per test run (stopped when the JVM ends). */
    public static synchronized SessionServiceProcess shared() throws Exception {
        if (shared == null) {
            shared = start();
            Runtime.getRuntime().addShutdownHook(new Thread(shared::close));
        }
        return shared;
    }

    private static SessionServiceProcess start() throws Exception {
        return start(ConfigProvider.getConfig().getValue("keycloak.url", String.class) + "/realms/quarkus/", "e2e");
    }

    /** A session-service process on the shared test servers, trusting tokens of this OIDC issuer. */
    public static SessionServiceProcess start(String oidc, String name) throws Exception {
        Path jar = Path.of(System.getProperty("user.dir"))
                .resolve("../session-service/target/quarkus-app/quarkus-run.jar")
                .normalize();
        if (!Files.exists(jar)) {
            throw new IllegalStateException("session-service is not packaged at " + jar
                    + " (the build packages it before this module: ./mvnw verify)");
        }
        int port = JarProcesses.freePort();
        var pg = TestInfrastructure.postgres();
        Path log = Path.of(System.getProperty("user.dir"), "target", "session-service-" + name + ".log");
        String base = "http://127.0.0.1:" + port;
        Process p = JarProcesses.startReady(
                List.of(
                        "java",
                        "-Xmx256m",
                        "-XX:+UseSerialGC",
                        "-Dquarkus.http.host=127.0.0.1",
                        "-Dquarkus.http.port=" + port,
                        "-Dquarkus.datasource.reactive.url=" + pg.reactiveUrl(),
                        "-Dquarkus.datasource.jdbc.url=" + pg.jdbcUrl(),
                        "-Dquarkus.datasource.username=" + pg.user(),
                        "-Dquarkus.datasource.password=" + pg.password(),
                        "-Dkafka.bootstrap.servers="
                                + TestInfrastructure.kafka().bootstrapServers(),
                        "-Dquarkus.oidc.auth-server-url=" + oidc,
                        "-Dquarkus.oidc.client-id=quarkus-service-app",
                        "-jar",
                        jar.toString()),
                log,
                base,
                "session-service",
                Duration.ofSeconds(60));
        return new SessionServiceProcess(p, base);
    }

    public String baseUrl() {
        return baseUrl;
    }

    @Override
    public void close() {
        process.destroy();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
