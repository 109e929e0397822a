package io.devopsconsole.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.devopsconsole.testkit.KafkaBroker;
import io.devopsconsole.testkit.PostgresServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.acl.AclBinding;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The manifests and the code cannot drift apart: registry-service is started with exactly the
 * environment the dev overlay gives its pod (its ConfigMap, its Secrets, its volumes) and becomes
 * ready against real servers standing in for what the cluster provides — a PostgreSQL with the
 * overlay's database and role, a Kafka broker that accepts only SASL_SSL with the overlay's topics
 * and the service's KafkaUser ACLs, and the in-cluster host names resolved to them. What is
 * substituted is only what an operator makes: host names, the mounted CA file, the KafkaUser's
 * JAAS line (made like Strimzi makes it).
 */
class EffectiveConfigurationTest {

    static final String SERVICE = "registry-service";

    @TempDir
    Path dir;

    @Test
    void registryServiceStartsWithTheDevOverlaysConfigurationAndBecomesReady() throws Exception {
        Path jar = Rendered.ROOT.resolve(SERVICE + "/target/quarkus-app/quarkus-run.jar");
        assertThat(jar).as("build " + SERVICE + " first (the reactor does)").exists();
        JsonNode deployment = Rendered.find("dev", "Deployment", SERVICE).orElseThrow();
        JsonNode container = deployment.at("/spec/template/spec/containers/0");
        int httpPort = container.at("/ports/0/containerPort").asInt();

        // what the cluster's operators provide, stood in for by real servers on loopback
        Map<String, String> env = new HashMap<>();
        Rendered.find("dev", "ConfigMap", SERVICE)
                .orElseThrow()
                .path("data")
                .fields()
                .forEachRemaining(e -> env.put(e.getKey(), e.getValue().asText()));
        String kafkaPassword = java.util.UUID.randomUUID().toString();
        Map<String, Map<String, String>> provided = Map.of(
                SERVICE,
                Map.of(
                        "sasl.jaas.config",
                        "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + SERVICE
                                + "\" password=\"" + kafkaPassword + "\";"));
        for (JsonNode e : container.path("env")) {
            JsonNode ref = e.at("/valueFrom/secretKeyRef");
            env.put(
                    e.path("name").asText(),
                    ref.isMissingNode()
                            ? e.path("value").asText()
                            : secret(
                                    "dev",
                                    ref.path("name").asText(),
                                    ref.path("key").asText(),
                                    provided));
        }
        int kafkaPort =
                URI.create("kafka://" + env.get("KAFKA_BOOTSTRAP_SERVERS")).getPort();
        URI db = URI.create(env.get("QUARKUS_DATASOURCE_JDBC_URL").substring("jdbc:".length()));
        KafkaBroker kafka = KafkaBroker.secured(
                kafkaPort,
                URI.create("kafka://" + env.get("KAFKA_BOOTSTRAP_SERVERS")).getHost());
        PostgresServer pg = PostgresServer.start(dir.resolve("pg"), db.getPort(), null, Map.of());
        Process service = null;
        Path log = dir.resolve(SERVICE + ".log");
        try {
            kafka.start();
            Rendered.ofKind("dev", "KafkaTopic")
                    .forEach(t -> kafka.createTopic(
                            t.at("/spec/topicName").asText(),
                            t.at("/spec/partitions").asInt()));
            kafka.createUser(
                    SERVICE,
                    kafkaPassword,
                    acls(Rendered.find("dev", "KafkaUser", SERVICE).orElseThrow()));
            String database = db.getPath().substring(1);
            try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), "postgres", "");
                    Statement st = c.createStatement()) {
                st.execute("CREATE ROLE " + env.get("QUARKUS_DATASOURCE_USERNAME") + " LOGIN PASSWORD '"
                        + env.get("QUARKUS_DATASOURCE_PASSWORD").replace("'", "''") + "'");
                st.execute("CREATE DATABASE " + database);
                st.execute("GRANT CREATE ON DATABASE " + database + " TO " + env.get("QUARKUS_DATASOURCE_USERNAME"));
            }
            // the pod's volumes: the cluster CA Strimzi mounts, and the writable /tmp
            Map<String, Path> mounts = new HashMap<>();
            for (JsonNode m : container.path("volumeMounts")) {
                mounts.put(
                        m.path("mountPath").asText(),
                        Files.createDirectories(
                                dir.resolve("mounts" + m.path("mountPath").asText())));
            }
            Files.copy(
                    kafka.certificate(),
                    mounts.get("/etc/devops-console/kafka-ca").resolve("ca.crt"));
            // a path under a mount (a whole value, or after '=' in JVM options) points into the stand-in, in one pass
            String alternatives = mounts.keySet().stream()
                    .sorted((a, b) -> b.length() - a.length())
                    .map(java.util.regex.Pattern::quote)
                    .collect(java.util.stream.Collectors.joining("|"));
            java.util.regex.Pattern mounted = java.util.regex.Pattern.compile("(^|=)(" + alternatives + ")(?=/|\\s|$)");
            env.replaceAll((k, v) -> mounted.matcher(v)
                    .replaceAll(m -> java.util.regex.Matcher.quoteReplacement(m.group(1) + mounts.get(m.group(2)))));
            // the in-cluster names, resolved to the stand-ins (the JVM's own hosts file, nothing on the machine
            // changes)
            Path hosts = dir.resolve("hosts");
            Files.writeString(
                    hosts,
                    "127.0.0.1 " + db.getHost() + "\n127.0.0.1 "
                            + env.get("KAFKA_BOOTSTRAP_SERVERS").split(":")[0] + "\n127.0.0.1 "
                            + URI.create(env.get("QUARKUS_OIDC_AUTH_SERVER_URL"))
                                    .getHost() + "\n127.0.0.1 localhost\n");
            ProcessBuilder pb = new ProcessBuilder(List.of(
                            Path.of(System.getProperty("java.home"), "bin", "java")
                                    .toString(),
                            "-Djdk.net.hosts.file=" + hosts,
                            "-jar",
                            jar.toString()))
                    .directory(Files.createDirectories(dir.resolve("work")).toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            pb.environment()
                    .keySet()
                    .removeIf(k -> k.startsWith("QUARKUS_") || k.startsWith("KAFKA_") || k.startsWith("DEVOPS_"));
            pb.environment().putAll(env);
            service = pb.start();
            int status = awaitReady(service, httpPort, Duration.ofSeconds(120));
            assertThat(status)
                    .as("GET /q/health/ready of " + SERVICE + "; its log:\n" + tail(log))
                    .isEqualTo(200);
            assertThat(Files.readString(log))
                    .doesNotContain(env.get("QUARKUS_DATASOURCE_PASSWORD"))
                    .doesNotContain(kafkaPassword);
        } finally {
            if (service != null) {
                service.destroy();
                if (!service.waitFor(20, TimeUnit.SECONDS)) {
                    service.destroyForcibly();
                }
            }
            kafka.stop();
            pg.stop();
        }
    }

    static String secret(String overlay, String name, String key, Map<String, Map<String, String>> provided) {
        var defined = Rendered.find(overlay, "Secret", name);
        if (defined.isPresent()) {
            return new String(
                    Base64.getDecoder()
                            .decode(defined.get()
                                    .at("/data/" + key.replace("/", "~1"))
                                    .asText()),
                    StandardCharsets.UTF_8);
        }
        String value = provided.getOrDefault(name, Map.of()).get(key);
        assertThat(value)
                .as("secret " + name + "/" + key + " (neither in the overlay nor stood in for here)")
                .isNotNull();
        return value;
    }

    static List<AclBinding> acls(JsonNode kafkaUser) {
        return io.devopsconsole.testkit.SecuredKafka.acls(kafkaUser);
    }

    private static int awaitReady(Process service, int port, Duration timeout) throws InterruptedException {
        HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        int last = -1;
        while (System.nanoTime() < deadline && service.isAlive()) {
            try {
                last = http.send(
                                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/health/ready"))
                                        .timeout(Duration.ofSeconds(5))
                                        .build(),
                                HttpResponse.BodyHandlers.discarding())
                        .statusCode();
                if (last == 200) {
                    return last;
                }
            } catch (java.io.IOException notYet) {
                // not listening yet
            }
            Thread.sleep(500);
        }
        return last;
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (java.io.IOException e) {
            return "(no log)";
        }
    }
}
