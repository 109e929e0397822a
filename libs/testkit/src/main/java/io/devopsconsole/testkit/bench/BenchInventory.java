package io.devopsconsole.testkit.bench;

import io.devopsconsole.events.CloudEventCodec;
import io.devopsconsole.events.DomainEvent;
import io.devopsconsole.events.EventCatalog;
import io.devopsconsole.events.EventEnvelope;
import io.devopsconsole.events.registry.CodexStatusChanged;
import io.devopsconsole.events.registry.HostKeyTrusted;
import io.devopsconsole.events.registry.RuntimeProfileCreated;
import io.devopsconsole.events.registry.RuntimeProfileState;
import io.devopsconsole.events.registry.TargetRegistered;
import io.devopsconsole.events.registry.TargetState;
import java.security.MessageDigest;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * What the agent benches tell the running stack about their hosts, on {@code console.registry.v1}
 * as the registry would (actor "bench"), as real events through the one CloudEvent codec: a target
 * whose host key is trusted and whose Codex status is ready, and runtime profiles binding projects
 * to it. They stand in for registry and onboarding because trusting a host key there takes an
 * admin's confirmation.
 */
final class BenchInventory implements AutoCloseable {

    private final KafkaProducer<String, byte[]> producer;

    BenchInventory(String bootstrap) {
        Properties props = BenchKafka.connection(bootstrap);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        this.producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    /** A ready target at 127.0.0.1:port whose trusted host key is {@code hostKeyLine} ("type base64"). */
    UUID target(String name, int port, String user, String hostKeyLine) throws Exception {
        UUID target = UUID.randomUUID();
        String[] key = hostKeyLine.split(" ");
        String fingerprint = "SHA256:"
                + Base64.getEncoder()
                        .withoutPadding()
                        .encodeToString(MessageDigest.getInstance("SHA-256")
                                .digest(Base64.getDecoder().decode(key[1])));
        send(new TargetRegistered(new TargetState(
                target,
                name,
                "127.0.0.1",
                port,
                user,
                "lab",
                null,
                "lan",
                null,
                "default_control_plane_identity",
                null,
                fingerprint,
                "unknown",
                false,
                0)));
        send(new HostKeyTrusted(target, name, key[0], fingerprint, hostKeyLine, "bench", "bench", 1));
        send(new CodexStatusChanged(target, name, "unknown", "ready", 2));
        return target;
    }

    /** A runtime profile binding {@code project} to the target (primary) in {@code directory}, with these Codex options. */
    void profile(UUID project, UUID target, String directory, RuntimeProfileState.CodexOptions codex) {
        send(new RuntimeProfileCreated(new RuntimeProfileState(
                UUID.randomUUID(),
                project,
                "confirm",
                List.of(new RuntimeProfileState.Binding(target, "primary", directory)),
                codex,
                0)));
    }

    /** A project as the registry announces it: session-service opens sessions only for registered projects. */
    UUID project() {
        UUID project = UUID.randomUUID();
        send(new io.devopsconsole.events.registry.ProjectCreated(
                project,
                "bench-" + project.toString().substring(0, 8),
                "Bench " + project.toString().substring(0, 8),
                null,
                "/srv/bench",
                0));
        return project;
    }

    /**
     * Opens a session for {@code project} through session-service; retried while session-service has
     * not taken the project's registration in yet (400), as a client would. Returns the session id.
     */
    static UUID openSession(java.net.http.HttpClient http, String base, String token, UUID project) throws Exception {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
        while (true) {
            java.net.http.HttpResponse<String> r = http.send(
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/api/sessions"))
                            .header("Authorization", "Bearer " + token)
                            .header("Content-Type", "application/json")
                            .POST(java.net.http.HttpRequest.BodyPublishers.ofString(
                                    "{\"project_id\":\"" + project + "\"}"))
                            .build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 201) {
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"id\":\"([0-9a-f-]{36})\"")
                        .matcher(r.body());
                if (!m.find()) {
                    throw new IllegalStateException("create session answered no id: " + r.body());
                }
                return UUID.fromString(m.group(1));
            }
            if (r.statusCode() != 400 || System.nanoTime() > deadline) {
                throw new IllegalStateException("create session answered " + r.statusCode() + ": " + r.body());
            }
            Thread.sleep(100);
        }
    }

    /**
     * Stops the bench's sessions and waits (up to a minute) until each has ended, so that no worker of a
     * finished run is left behind (a runner would keep reattaching to a host that is gone, and later runs
     * would measure that too). Call it while the hosts are still up.
     */
    static void stopSessions(java.net.http.HttpClient http, String base, String token, java.util.List<UUID> ids)
            throws Exception {
        for (UUID id : ids) {
            http.send(
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/api/sessions/" + id + "/stop"))
                            .header("Authorization", "Bearer " + token)
                            .header("Content-Type", "application/json")
                            .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"reason\":\"bench done\"}"))
                            .build(),
                    java.net.http.HttpResponse.BodyHandlers.discarding());
        }
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
        java.util.List<UUID> open = new java.util.ArrayList<>(ids);
        while (!open.isEmpty() && System.nanoTime() < deadline) {
            java.util.Iterator<UUID> it = open.iterator();
            while (it.hasNext()) {
                String body = http.send(
                                java.net.http.HttpRequest.newBuilder(
                                                java.net.URI.create(base + "/api/sessions/" + it.next()))
                                        .header("Authorization", "Bearer " + token)
                                        .build(),
                                java.net.http.HttpResponse.BodyHandlers.ofString())
                        .body();
                if (body.contains("\"state\":\"stopped\"") || body.contains("\"state\":\"failed\"")) {
                    it.remove();
                }
            }
            if (!open.isEmpty()) {
                Thread.sleep(200);
            }
        }
        if (!open.isEmpty()) {
            System.out.printf("  (%d of %d bench sessions had not stopped after a minute)%n", open.size(), ids.size());
        }
    }

    void flush() {
        producer.flush();
    }

    private void send(DomainEvent event) {
        EventEnvelope e = CloudEventCodec.wrap(event, "/bench", "bench", OffsetDateTime.now(ZoneOffset.UTC), Map.of());
        ProducerRecord<String, byte[]> r =
                new ProducerRecord<>(EventCatalog.of(event).topic(), e.subject(), e.data());
        CloudEventCodec.toKafkaHeaders(e).forEach((k, v) -> r.headers().add(k, v));
        producer.send(r);
    }

    @Override
    public void close() {
        producer.close();
    }
}
