package io.devopsconsole.agent;

import io.devopsconsole.testkit.TestInfrastructure;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * An agent-runner instance as its own process (the jar this module's build packaged), on the
 * shared test PostgreSQL and Kafka: several of them form the {@code agent-runner} consumer group,
 * and one can be killed outright ({@code kill -9}) to see another take its sessions over.
 */
public final class RunnerProcess implements AutoCloseable {

    private final String instance;
    private final Process process;
    private final String baseUrl;

    private RunnerProcess(String instance, Process process, String baseUrl) {
        this.instance = instance;
        this.process = process;
        this.baseUrl = baseUrl;
    }

    /** Starts an instance and waits until it is ready; {@code settings} are more -D properties (SSH identity, ...). */
    public static RunnerProcess start(String instance, String oidc, Map<String, String> settings) throws Exception {
        Path jar = Path.of(System.getProperty("user.dir"), "target", "quarkus-app", "quarkus-run.jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException("agent-runner is not packaged at " + jar + " (run through ./mvnw verify)");
        }
        int port = JarProcesses.freePort();
        var pg = TestInfrastructure.postgres();
        List<String> command = new ArrayList<>(List.of(
                "java",
                "-Xmx256m",
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-Dquarkus.http.host=127.0.0.1",
                "-Dquarkus.http.port=" + port,
                "-Dquarkus.datasource.reactive.url=" + pg.reactiveUrl(),
                "-Dquarkus.datasource.jdbc.url=" + pg.jdbcUrl(),
                "-Dquarkus.datasource.username=" + pg.user(),
                "-Dquarkus.datasource.password=" + pg.password(),
                "-Dkafka.bootstrap.servers=" + TestInfrastructure.kafka().bootstrapServers(),
                "-Dquarkus.oidc.auth-server-url=" + oidc,
                "-Dquarkus.oidc.client-id=quarkus-service-app",
                "-Ddevops.agent.instance-id=" + instance));
        settings.forEach((k, v) -> command.add("-D" + k + "=" + v));
        command.addAll(List.of("-jar", jar.toString()));
        Path log = Path.of(System.getProperty("user.dir"), "target", "runner-" + instance + ".log");
        String base = "http://127.0.0.1:" + port;
        Process p = JarProcesses.startReady(command, log, base, "agent-runner " + instance, Duration.ofSeconds(90));
        return new RunnerProcess(instance, p, base);
    }

    public String instance() {
        return instance;
    }

    public String baseUrl() {
        return baseUrl;
    }

    public boolean alive() {
        return process.isAlive();
    }

    /** {@code kill -9}: no shutdown hook, no hand-over, connections cut by the kernel. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
