package io.devopsconsole.testkit.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.devopsconsole.events.registry.RuntimeProfileState;
import io.devopsconsole.testkit.codex.TestSshServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

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
 * <p>
 * Before the phases it runs warm-up rounds (untimed, their figures printed apart): services just
 * started spend much of their CPU in the JIT compiler for minutes, and a figure taken then says
 * more about the compiler than about the relay.
 * {@code java ... AgentRelayBench <bootstrap> <sessionUrl> <token> <identity.pub> [sessions=1,10,100] [deltas=200] [everyMs=50] [warmUpRounds=2]}
 */
public final class AgentRelayBench {

    private static final ObjectMapper JSON = new ObjectMapper();
    /**
     * A stamped delta as a stream record or SSE event carries it (only a delta's: the real codex's completed
     * message repeats every stamp of the answer in its text).
     */
    static final String DELTA_STAMP = "\"delta\":\"@@T";

    private static final Pattern STAMP = Pattern.compile(Pattern.quote(DELTA_STAMP) + "(\\d+)");

    public static void main(String[] args) throws Exception {
        String bootstrap = args[0];
        String base = args[1];
        String token = args[2];
        Path identity = Path.of(args[3]);
        String[] phases = (args.length > 4 ? args[4] : "1,10,100").split(",");
        int deltas = args.length > 5 ? Integer.parseInt(args[5]) : 200;
        long everyMs = args.length > 6 ? Long.parseLong(args[6]) : 50;
        int warmUps = args.length > 7 ? Integer.parseInt(args[7]) : 2;

        try (TestSshServer host = TestSshServer.start();
                BenchInventory producer = new BenchInventory(bootstrap)) {
            host.authorize(Files.readString(identity).strip());
            UUID target = producer.target(
                    "bench-host-" + UUID.randomUUID().toString().substring(0, 6),
                    host.port(),
                    "bench",
                    host.hostKeyLine());
            HttpClient http = HttpClient.newBuilder()
                    .connectTimeout(Duration.ofSeconds(10))
                    .build();
            System.out.printf(
                    "agent relay, scripted worker: %d deltas per session, one every %d ms%n", deltas, everyMs);
            int warmSessions = 1;
            for (String phase : phases) {
                warmSessions = Math.max(warmSessions, Math.min(10, Integer.parseInt(phase.trim())));
            }
            for (int round = 1; round <= warmUps; round++) {
                System.out.printf("  warm-up round %d of %d (not counted):%n", round, warmUps);
                run(warmSessions, deltas, everyMs, bootstrap, base, token, producer, http, target);
            }
            for (String phase : phases) {
                int sessions = Integer.parseInt(phase.trim());
                // the floor first, in the same run: the same worker and SSH host driven directly, no console
                System.out.printf(
                        "  %3d session(s): worker line -> read directly over SSH (the floor): %s%n",
                        sessions, figures(DirectFloor.run(host, sessions, deltas, everyMs)));
                run(sessions, deltas, everyMs, bootstrap, base, token, producer, http, target);
            }
        }
        System.exit(0);
    }

    private static void run(
            int sessions,
            int deltas,
            long everyMs,
            String bootstrap,
            String base,
            String token,
            BenchInventory producer,
            HttpClient http,
            UUID target)
            throws Exception {
        List<UUID> ids = new ArrayList<>();
        for (int i = 0; i < sessions; i++) {
            UUID project = producer.project();
            producer.profile(project, target, "/srv/bench/" + project, RuntimeProfileState.CodexOptions.NONE);
            producer.flush();
            ids.add(BenchInventory.openSession(http, base, token, project));
        }
        producer.flush();

        ConcurrentLinkedQueue<Long> viaKafka = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<Long> viaSse = new ConcurrentLinkedQueue<>();
        AtomicLong sseReceived = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        Set<String> warmed = ConcurrentHashMap.newKeySet();
        Set<String> refused = ConcurrentHashMap.newKeySet();
        Thread kafka = new Thread(
                () -> tailStream(
                        bootstrap,
                        (sent, at) -> viaKafka.add(at - sent),
                        warmed,
                        refused,
                        ConcurrentHashMap.newKeySet(),
                        stop),
                "bench-stream-tail");
        kafka.start();
        SseLatencyReader viewers = new SseLatencyReader(DELTA_STAMP);
        for (UUID id : ids) {
            viewers.open(
                    URI.create(base + "/api/sessions/" + id + "/stream"),
                    token,
                    (sent, at) -> viaSse.add(at - sent),
                    sseReceived);
        }
        // warm-up: one delta per session proves the runner knows the profile and has its worker up; a turn
        // that arrives before the runner's projection took the profile in is refused, and is sent again
        post(http, base, token, ids, "BENCH_DELTAS 1 1");
        long warm = System.nanoTime() + Duration.ofSeconds(180).toNanos();
        while ((warmed.size() < sessions || viaSse.size() < sessions) && System.nanoTime() < warm) {
            List<UUID> again = ids.stream()
                    .filter(id -> refused.remove(id.toString()) && !warmed.contains(id.toString()))
                    .toList();
            post(http, base, token, again, "BENCH_DELTAS 1 1");
            Thread.sleep(100);
        }
        if (warmed.size() < sessions || viaSse.size() < sessions) {
            throw new IllegalStateException("warm-up: only " + warmed.size() + " of " + sessions
                    + " sessions reached Kafka and " + viaSse.size() + " reached SSE (is the agent-runner consuming?)");
        }
        viaSse.clear();
        viaKafka.clear();
        RelayHopFigures hops = new RelayHopFigures(http, metricsUrls());
        var hopsBefore = hops.read();
        ProcessCpu cpu = ProcessCpu.start();
        post(http, base, token, ids, "BENCH_DELTAS " + deltas + " " + everyMs);
        long total = (long) sessions * deltas;
        long deadline = System.nanoTime()
                + Duration.ofSeconds(deltas * everyMs / 1000 + 60).toNanos();
        while ((viaSse.size() < total || viaKafka.size() < total) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        String cpuLine = cpu.line(total);
        stop.set(true);
        kafka.join();
        viewers.close();
        BenchInventory.stopSessions(http, base, token, ids);
        System.out.printf(
                "  %3d session(s): worker line -> stream record on Kafka: %s (%d of %d)%n",
                sessions, figures(viaKafka), viaKafka.size(), total);
        System.out.printf(
                "  %3d session(s): worker line -> SSE event via session-service: %s (%d of %d)%n",
                sessions, figures(viaSse), viaSse.size(), total);
        // each hop and batch step as the services measured it (their histograms, this phase only)
        for (String line : RelayHopFigures.lines(hopsBefore, hops.read())) {
            System.out.printf("        %s%n", line);
        }
        System.out.printf("        %s%n", cpuLine);
    }

    /** The services' Prometheus endpoints (system property devops.bench.metrics, comma-separated). */
    static List<String> metricsUrls() {
        String urls = System.getProperty("devops.bench.metrics", "");
        return urls.isBlank() ? List.of() : List.of(urls.split(","));
    }

    static void post(HttpClient http, String base, String token, List<UUID> ids, String text) throws Exception {
        for (UUID id : ids) {
            HttpResponse<String> r = http.send(
                    HttpRequest.newBuilder(URI.create(base + "/api/sessions/" + id + "/messages"))
                            .header("Authorization", "Bearer " + token)
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString("{\"text\":\"" + text + "\"}"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 201) {
                throw new IllegalStateException("message answered " + r.statusCode() + ": " + r.body());
            }
        }
    }

    static String figures(java.util.Collection<Long> samples) {
        List<Long> sorted = new ArrayList<>(samples);
        Collections.sort(sorted);
        if (sorted.isEmpty()) {
            return "no samples";
        }
        return String.format(
                "p50 %.1f ms, p99 %.1f ms, max %.1f ms",
                at(sorted, 0.5) / 1e6, at(sorted, 0.99) / 1e6, sorted.get(sorted.size() - 1) / 1e6);
    }

    private static double at(List<Long> sorted, double q) {
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(q * sorted.size()) - 1));
    }

    /**
     * Reads the stream topic from its end (new records only): each bench delta's latency, which
     * sessions have streamed, which had a turn refused and which completed one.
     */
    static void tailStream(
            String bootstrap,
            SseLatencyReader.Receipt out,
            Set<String> warmed,
            Set<String> refused,
            Set<String> completed,
            AtomicBoolean stop) {
        Properties props = BenchKafka.connection(bootstrap);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // answered at the first record anyway; a short wait would only spin this JVM on the cores it measures
        props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 500);
        try (KafkaConsumer<String, byte[]> consumer =
                new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            consumer.partitionsFor("console.agent.stream.v1", Duration.ofSeconds(30))
                    .forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            partitions.forEach(consumer::position);
            while (!stop.get()) {
                consumer.poll(Duration.ofMillis(50)).forEach(record -> {
                    long now = System.nanoTime();
                    String value = new String(record.value(), StandardCharsets.UTF_8);
                    Matcher m = STAMP.matcher(value);
                    if (m.find()) {
                        out.at(Long.parseLong(m.group(1)), now);
                        warmed.add(record.key());
                    } else if (value.contains("\"kind\":\"turn_failed\"")) {
                        refused.add(record.key());
                    } else if (value.contains("\"kind\":\"turn_completed\"")) {
                        completed.add(record.key());
                    }
                });
            }
        }
    }
}
