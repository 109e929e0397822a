package io.devopsconsole.testkit.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Properties;
import java.util.UUID;

/**
 * What the agent benches tell the running stack about their hosts, on {@code console.registry.v1}
 * as the registry would (actor "bench"): a target whose host key is trusted and whose Codex status
 * is ready, and runtime profiles binding projects to it. They stand in for registry and onboarding
 * because trusting a host key there takes an admin's confirmation.
 */
final class BenchInventory implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final KafkaProducer<String, byte[]> producer;

    BenchInventory(String bootstrap) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        this.producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    /** A ready target at 127.0.0.1:port whose trusted host key is {@code hostKeyLine} ("type base64"). */
    UUID target(String name, int port, String user, String hostKeyLine) throws Exception {
        UUID target = UUID.randomUUID();
        String[] key = hostKeyLine.split(" ");
        String fingerprint = "SHA256:" + Base64.getEncoder().withoutPadding()
                .encodeToString(MessageDigest.getInstance("SHA-256").digest(Base64.getDecoder().decode(key[1])));
        ObjectNode state = JSON.createObjectNode().put("target_id", target.toString()).put("name", name).put("host", "127.0.0.1")
                .put("port", port).put("username", user).put("environment", "lab").putNull("site_id")
                .put("access_path", "lan").putNull("tunnel_profile_id").put("key_source", "default_control_plane_identity")
                .putNull("key_reference").put("host_key_fingerprint", fingerprint).put("codex_status", "unknown")
                .put("retired", false).put("version", 0);
        send("io.devopsconsole.registry.target.registered.v1", target, JSON.createObjectNode().set("target", state));
        send("io.devopsconsole.registry.target.host_key_trusted.v1", target, JSON.createObjectNode()
                .put("target_id", target.toString()).put("name", name).put("key_type", key[0])
                .put("fingerprint_sha256", fingerprint).put("public_key", hostKeyLine).put("source", "bench")
                .put("trusted_by", "bench").put("version", 1));
        send("io.devopsconsole.registry.target.codex_status_changed.v1", target, JSON.createObjectNode()
                .put("target_id", target.toString()).put("name", name).put("previous_status", "unknown").put("status", "ready")
                .put("version", 2));
        return target;
    }

    /** A runtime profile binding {@code project} to the target (primary) in {@code directory}, with these Codex options. */
    void profile(UUID project, UUID target, String directory, ObjectNode codex) {
        UUID profileId = UUID.randomUUID(); // the event's subject (its aggregate), not the project
        ObjectNode profile = JSON.createObjectNode().put("runtime_profile_id", profileId.toString())
                .put("project_id", project.toString()).put("switch_policy", "confirm");
        profile.putArray("bindings").addObject().put("target_id", target.toString()).put("role", "primary")
                .put("working_directory", directory);
        profile.set("codex", codex);
        profile.put("version", 0);
        send("io.devopsconsole.registry.runtime_profile.created.v1", profileId, JSON.createObjectNode().set("profile", profile));
    }

    void flush() {
        producer.flush();
    }

    private void send(String type, UUID subject, ObjectNode data) {
        ProducerRecord<String, byte[]> r = new ProducerRecord<>("console.registry.v1", subject.toString(),
                data.toString().getBytes(StandardCharsets.UTF_8));
        String now = OffsetDateTime.now(ZoneOffset.UTC).toString();
        for (String[] h : new String[][] {{"ce_specversion", "1.0"}, {"ce_id", UUID.randomUUID().toString()},
                {"ce_source", "/bench"}, {"ce_type", type}, {"ce_subject", subject.toString()}, {"ce_time", now},
                {"ce_actor", "bench"}, {"content-type", "application/json"}}) {
            r.headers().add(h[0], h[1].getBytes(StandardCharsets.UTF_8));
        }
        producer.send(r);
    }

    @Override
    public void close() {
        producer.close();
    }
}
