package io.devopsconsole.onboarding;

import io.devopsconsole.testkit.TestInfrastructure;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * registry-service as its own process (the jar the build packaged before this module) on the
 * shared test PostgreSQL, Kafka and OIDC stub, at the address onboarding is configured to call:
 * onboarding registers targets there, and the registry applies onboarding's events.
 */
public final class RegistryProcess {

    private static Process process;
    private static String baseUrl;

    private RegistryProcess() {}

    public static synchronized String url() throws Exception {
        if (process == null) {
            process = start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> process.destroy()));
        }
        return baseUrl;
    }

    private static Process start() throws Exception {
        Path jar = Path.of(System.getProperty("user.dir"))
                .resolve("../registry-service/target/quarkus-app/quarkus-run.jar")
                .normalize();
        if (!Files.exists(jar)) {
            throw new IllegalStateException(
                    "registry-service is not packaged at " + jar + " (./mvnw verify packages it first)");
        }
        int port = OnboardingHosts.registryPort();
        String oidc = ConfigProvider.getConfig().getValue("keycloak.url", String.class) + "/realms/quarkus/";
        var pg = TestInfrastructure.postgres();
        Path log = Path.of(System.getProperty("user.dir"), "target", "registry-service.log");
        baseUrl = "http://127.0.0.1:" + port;
        Process p = new ProcessBuilder(List.of(
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
                        "-Ddevops.outbox.poll-interval=200ms",
                        "-jar",
                        jar.toString()))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new IllegalStateException("registry-service exited; see " + log);
            }
            try {
                if (http.send(
                                        HttpRequest.newBuilder(URI.create(baseUrl + "/q/health/ready"))
                                                .build(),
                                        HttpResponse.BodyHandlers.discarding())
                                .statusCode()
                        == 200) {
                    return p;
                }
            } catch (IOException notYet) {
                // starting
            }
            Thread.sleep(200);
        }
        p.destroyForcibly();
        throw new IllegalStateException("registry-service did not become ready; see " + log);
    }
}
