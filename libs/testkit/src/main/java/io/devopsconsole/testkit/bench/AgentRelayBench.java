package io.devopsconsole.testkit.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.devopsconsole.testkit.codex.TestSshServer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The agent relay against a running stack (scripts/up), with a scripted worker: this JVM is the
 * target host (the in-JVM SSH server running the scripted app-server, which stamps each delta line
 * with its write time), the running agent-runner connects to it with the control-plane identity,
 * and this JVM reads the relayed deltas twice: from {@code console.agent.stream.v1} (worker line →
 * stream record on Kafka) and from session-service's SSE (worker line → SSE event), at 1, 10 and
 * 100 concurrent sessions, each streaming deltas at a fixed rate.
 * <p>
 * Inventory set-up: the bench announces its target (host key trusted, Codex ready) and one runtime
 * profile per project on {@code console.registry.v1} itself, standing in for the registry and
 * onboarding (whose trust step needs an admin's confirmation); the events name actor "bench".
 * {@code java ... AgentRelayBench <bootstrap> <sessionUrl> <token> <identity.pub> [sessions=1,10,100] [deltas=200] [everyMs=50]}
 */
public final class AgentRelayBench {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern STAMP = Pattern.compile("@@T(\\d+)");

    public static void main(String[] args) throws Exception {
        String bootstrap = args[0];
        String base = args[1];
        String token = args[2];
        Path identity = Path.of(args[3]);
        String[] phases = (args.length > 4 ? args[4] : "1,10,100").split(",");
        int deltas = args.length > 5 ? Integer.parseInt(args[5]) : 200;
        long everyMs = args.length > 6 ? Long.parseLong(args[6]) : 50;

        try (TestSshServer host = TestSshServer.start();
             KafkaProducer<String, byte[]> producer = producer(bootstrap)) {
            host.authorize(Files.readString(identity).strip());
            UUID target = UUID.randomUUID();
            announceTarget(producer, target, host);
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
            System.out.printf("agent relay, scripted worker: %d deltas per session, one every %d ms%n", deltas, everyMs);
            for (String phase : phases) {
                run(Integer.parseInt(phase.trim()), deltas, everyMs, bootstrap, base, token, producer, http, target);
            }
        }
        System.exit(0);
    }

    private static void run(int sessions, int deltas, long everyMs, String bootstrap, String base, String token,
                            KafkaProducer<String, byte[]> producer, HttpClient http, UUID target) throws Exception {
        List<UUID> ids = new ArrayList<>();
        for (int i = 0; i < sessions; i++) {
            UUID project = UUID.randomUUID();
            announceProfile(producer, project, target);
            ids.add(createSession(http, base, token, project));
        }
        producer.flush();

        ConcurrentLinkedQueue<Long> viaKafka = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<Long> viaSse = new ConcurrentLinkedQueue<>();
        AtomicLong sseReceived = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        Thread kafka = new Thread(() -> tailStream(bootstrap, viaKafka, stop), "bench-stream-tail");
        kafka.start();
        SseLatencyReader viewers = new SseLatencyReader("@@T");
        for (UUID id : ids) {
            viewers.open(URI.create(base + "/api/sessions/" + id + "/stream"), token, (sent, at) -> viaSse.add(at - sent),
                    sseReceived);
        }
        // warm-up: one delta per session proves the runner knows the profile and has its worker up
        post(http, base, token, ids, "BENCH_DELTAS 1 1");
        long warm = System.nanoTime() + Duration.ofSeconds(180).toNanos();
        while ((viaSse.size() < sessions || viaKafka.size() < sessions) && System.nanoTime() < warm) {
            Thread.sleep(100);
        }
        if (viaSse.size() < sessions || viaKafka.size() < sessions) {
            throw new IllegalStateException("warm-up: only " + viaKafka.size() + " of " + sessions
                    + " sessions reached Kafka and " + viaSse.size() + " reached SSE (is the agent-runner consuming?)");
        }
        Thread.sleep(500);
        viaSse.clear();
        viaKafka.clear();
        post(http, base, token, ids, "BENCH_DELTAS " + deltas + " " + everyMs);
        long total = (long) sessions * deltas;
        long deadline = System.nanoTime() + Duration.ofSeconds(deltas * everyMs / 1000 + 60).toNanos();
        while ((viaSse.size() < total || viaKafka.size() < total) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        stop.set(true);
        kafka.join();
        viewers.close();
        System.out.printf("  %3d session(s): worker line -> stream record on Kafka: %s (%d of %d)%n", sessions,
                figures(viaKafka), viaKafka.size(), total);
        System.out.printf("  %3d session(s): worker line -> SSE event via session-service: %s (%d of %d)%n", sessions,
                figures(viaSse), viaSse.size(), total);
    }

    private static void post(HttpClient http, String base, String token, List<UUID> ids, String text) throws Exception {
        for (UUID id : ids) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/api/sessions/" + id + "/messages"))
                    .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"text\":\"" + text + "\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 201) {
                throw new IllegalStateException("message answered " + r.statusCode() + ": " + r.body());
            }
        }
    }

    private static String figures(ConcurrentLinkedQueue<Long> samples) {
        List<Long> sorted = new ArrayList<>(samples);
        Collections.sort(sorted);
        if (sorted.isEmpty()) {
            return "no samples";
        }
        return String.format("p50 %.1f ms, p99 %.1f ms, max %.1f ms", at(sorted, 0.5) / 1e6, at(sorted, 0.99) / 1e6,
                sorted.get(sorted.size() - 1) / 1e6);
    }

    private static double at(List<Long> sorted, double q) {
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(q * sorted.size()) - 1));
    }

    /** Reads the stream topic from its end (new records only) and takes each bench delta's latency. */
    private static void tailStream(String bootstrap, ConcurrentLinkedQueue<Long> out, AtomicBoolean stop) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 5);
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            consumer.partitionsFor("console.agent.stream.v1", Duration.ofSeconds(30))
                    .forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            partitions.forEach(consumer::position);
            while (!stop.get()) {
                consumer.poll(Duration.ofMillis(50)).forEach(record -> {
                    long now = System.nanoTime();
                    Matcher m = STAMP.matcher(new String(record.value(), StandardCharsets.UTF_8));
                    if (m.find()) {
                        out.add(now - Long.parseLong(m.group(1)));
                    }
                });
            }
        }
    }

    private static UUID createSession(HttpClient http, String base, String token, UUID project) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/api/sessions"))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"project_id\":\"" + project + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 201) {
            throw new IllegalStateException("create session answered " + r.statusCode() + ": " + r.body());
        }
        return UUID.fromString(JSON.readTree(r.body()).path("id").asText());
    }

    private static void announceTarget(KafkaProducer<String, byte[]> producer, UUID target, TestSshServer host) throws Exception {
        String[] key = host.hostKeyLine().split(" ");
        String fingerprint = "SHA256:" + Base64.getEncoder().withoutPadding()
                .encodeToString(MessageDigest.getInstance("SHA-256").digest(Base64.getDecoder().decode(key[1])));
        String name = "bench-host-" + target.toString().substring(0, 6);
        ObjectNode state = JSON.createObjectNode().put("target_id", target.toString()).put("name", name).put("host", "127.0.0.1")
                .put("port", host.port()).put("username", "bench").put("environment", "lab").putNull("site_id")
                .put("access_path", "lan").putNull("tunnel_profile_id").put("key_source", "default_control_plane_identity")
                .putNull("key_reference").put("host_key_fingerprint", fingerprint).put("codex_status", "unknown")
                .put("retired", false).put("version", 0);
        send(producer, "io.devopsconsole.registry.target.registered.v1", target, JSON.createObjectNode().set("target", state));
        send(producer, "io.devopsconsole.registry.target.host_key_trusted.v1", target, JSON.createObjectNode()
                .put("target_id", target.toString()).put("name", name).put("key_type", key[0])
                .put("fingerprint_sha256", fingerprint).put("public_key", host.hostKeyLine()).put("source", "bench")
                .put("trusted_by", "bench").put("version", 1));
        send(producer, "io.devopsconsole.registry.target.codex_status_changed.v1", target, JSON.createObjectNode()
                .put("target_id", target.toString()).put("name", name).put("previous_status", "unknown").put("status", "ready")
                .put("version", 2));
    }

    private static void announceProfile(KafkaProducer<String, byte[]> producer, UUID project, UUID target) {
        UUID profileId = UUID.randomUUID(); // the event's subject (its aggregate), not the project
        ObjectNode profile = JSON.createObjectNode().put("runtime_profile_id", profileId.toString())
                .put("project_id", project.toString()).put("switch_policy", "confirm");
        profile.putArray("bindings").addObject().put("target_id", target.toString()).put("role", "primary")
                .put("working_directory", "/srv/bench/" + project);
        profile.putObject("codex");
        profile.put("version", 0);
        send(producer, "io.devopsconsole.registry.runtime_profile.created.v1", profileId,
                JSON.createObjectNode().set("profile", profile));
    }

    private static void send(KafkaProducer<String, byte[]> producer, String type, UUID subject, ObjectNode data) {
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

    private static KafkaProducer<String, byte[]> producer(String bootstrap) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }
}
