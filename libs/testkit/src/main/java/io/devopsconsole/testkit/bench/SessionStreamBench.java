package io.devopsconsole.testkit.bench;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * session-service streaming against a running stack, in two parts.
 * <ol>
 * <li>Relay latency: S sessions, one SSE viewer each, R stream records per second per session put
 *     on {@code console.agent.stream.v1} (as the agent-runner would); each record carries its send
 *     time, and the viewer's receipt time gives record published → SSE event received, including
 *     Kafka, batched storage, the commit notification and the fan-out.</li>
 * <li>Idle viewers: N SSE connections held open; prints the service's heap after a full GC
 *     (read through jcmd) before and after, and per connection.</li>
 * </ol>
 * {@code java ... SessionStreamBench <bootstrap> <sessionUrl> <token> <servicePid> [sessions=100] [perSecond=20] [seconds=30] [idle=5000] [staggered|aligned]}
 */
public final class SessionStreamBench {

    public static void main(String[] args) throws Exception {
        String bootstrap = args[0];
        String base = args[1];
        String token = args[2];
        String pid = args[3];
        int sessions = args.length > 4 ? Integer.parseInt(args[4]) : 100;
        int perSecond = args.length > 5 ? Integer.parseInt(args[5]) : 20;
        int seconds = args.length > 6 ? Integer.parseInt(args[6]) : 30;
        int idle = args.length > 7 ? Integer.parseInt(args[7]) : 5000;
        boolean aligned = args.length > 8 && args[8].equals("aligned");
        HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

        List<UUID> ids = new ArrayList<>();
        try (BenchInventory registry = new BenchInventory(bootstrap)) {
            List<UUID> projects = new ArrayList<>();
            for (int i = 0; i < sessions; i++) {
                projects.add(registry.project());
            }
            registry.flush();
            for (UUID project : projects) {
                ids.add(BenchInventory.openSession(http, base, token, project));
            }
        }
        ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<long[]> timeline = new ConcurrentLinkedQueue<>();
        AtomicLong received = new AtomicLong();
        AtomicLong measureFrom = new AtomicLong(Long.MAX_VALUE);
        SseLatencyReader viewers = new SseLatencyReader();
        for (UUID id : ids) {
            viewers.open(
                    URI.create(base + "/api/sessions/" + id + "/stream"),
                    token,
                    (sent, at) -> {
                        // sent_nanos is this JVM's nanoTime at send: comparable with the reader's
                        if (sent >= measureFrom.get()) {
                            latencies.add(at - sent);
                            timeline.add(new long[] {sent, at - sent});
                        }
                    },
                    received);
        }

        Properties props = BenchKafka.connection(bootstrap);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.LINGER_MS_CONFIG, 1);
        long total = (long) sessions * perSecond * seconds;
        try (KafkaProducer<String, byte[]> producer =
                new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
            long[] nextSeq = new long[sessions];
            long start = System.nanoTime();
            long warmUp = start + Duration.ofSeconds(Math.min(10, seconds / 3)).toNanos();
            long intervalNanos = 1_000_000_000L / perSecond;
            ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
            CompletableFuture<Void> done = new CompletableFuture<>();
            AtomicLong sent = new AtomicLong();
            long perSession = (long) perSecond * seconds;
            // aligned: every session's record leaves at the same instant (the worst case: one burst per tick);
            // staggered: each session ticks at its own phase, as independent agents do
            int groups = aligned ? 1 : sessions;
            for (int g = 0; g < groups; g++) {
                int from = aligned ? 0 : g;
                int to = aligned ? sessions : g + 1;
                AtomicLong ticks = new AtomicLong();
                ticker.scheduleAtFixedRate(
                        () -> {
                            if (ticks.get() >= perSession) {
                                return;
                            }
                            ticks.incrementAndGet();
                            if (System.nanoTime() >= warmUp) {
                                measureFrom.compareAndSet(Long.MAX_VALUE, System.nanoTime());
                            }
                            for (int s = from; s < to; s++) {
                                producer.send(record(ids.get(s), ++nextSeq[s]));
                            }
                            if (sent.addAndGet(to - from) >= total) {
                                done.complete(null);
                            }
                        },
                        intervalNanos * g / groups,
                        intervalNanos,
                        TimeUnit.NANOSECONDS);
            }
            done.get(seconds + 60L, TimeUnit.SECONDS);
            ticker.shutdownNow();
            producer.flush();
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (received.get() < total && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        List<Long> sorted = new ArrayList<>(latencies);
        Collections.sort(sorted);
        System.out.printf(
                "relay: %d sessions x %d records/s for %d s = %d records (%s); received %d over SSE%n",
                sessions,
                perSecond,
                seconds,
                total,
                aligned ? "aligned: all sessions send at the same instant" : "staggered phases",
                received.get());
        System.out.printf(
                "record published -> SSE event received (after warm-up, %d samples): p50 %.1f ms, p99 %.1f ms,"
                        + " max %.1f ms%n",
                sorted.size(),
                at(sorted, 0.50) / 1e6,
                at(sorted, 0.99) / 1e6,
                sorted.isEmpty() ? 0 : sorted.get(sorted.size() - 1) / 1e6);
        // p99 per 5-second window: shows whether the tail is steady or a few stalls
        java.util.TreeMap<Long, List<Long>> windows = new java.util.TreeMap<>();
        long origin = measureFrom.get();
        for (long[] t : timeline) {
            windows.computeIfAbsent((t[0] - origin) / 5_000_000_000L, k -> new ArrayList<>())
                    .add(t[1]);
        }
        StringBuilder perWindow = new StringBuilder();
        for (List<Long> w : windows.values()) {
            Collections.sort(w);
            perWindow.append(String.format(" %.1f", at(w, 0.99) / 1e6));
        }
        System.out.println("p99 per 5 s window (ms):" + perWindow);
        viewers.close();

        // idle viewers
        Thread.sleep(2000);
        long before = heapAfterGc(pid);
        List<CompletableFuture<HttpResponse<InputStream>>> open = new ArrayList<>();
        HttpClient idleClient =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).build();
        for (int i = 0; i < idle; i++) {
            open.add(idleClient.sendAsync(
                    stream(base, token, ids.get(i % ids.size()), Long.MAX_VALUE / 2),
                    HttpResponse.BodyHandlers.ofInputStream()));
            if (i % 200 == 199) {
                CompletableFuture.allOf(open.subList(i - 199, i + 1).toArray(CompletableFuture[]::new))
                        .join();
            }
        }
        int ok = 0;
        for (CompletableFuture<HttpResponse<InputStream>> f : open) {
            if (f.get(60, TimeUnit.SECONDS).statusCode() == 200) {
                ok++;
            }
        }
        Thread.sleep(3000);
        long after = heapAfterGc(pid);
        System.out.printf(
                "idle SSE viewers held: %d of %d; service heap after full GC: %.1f MiB before, %.1f MiB with them"
                        + " (%.1f KiB per connection)%n",
                ok, idle, before / 1048576.0, after / 1048576.0, ok == 0 ? 0 : (after - before) / 1024.0 / ok);
        for (CompletableFuture<HttpResponse<InputStream>> f : open) {
            f.get().body().close();
        }
        System.exit(0);
    }

    private static HttpRequest stream(String base, String token, UUID id, Long lastEventId) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + "/api/sessions/" + id + "/stream"))
                .header("Authorization", "Bearer " + token)
                .header("Accept", "text/event-stream");
        if (lastEventId != null) {
            b.header("Last-Event-ID", Long.toString(lastEventId));
        }
        return b.GET().build();
    }

    private static ProducerRecord<String, byte[]> record(UUID session, long seq) {
        String at = OffsetDateTime.now(ZoneOffset.UTC).toString();
        String data =
                "{\"record_id\":\"" + UUID.randomUUID() + "\",\"session_id\":\"" + session + "\",\"stream_seq\":" + seq
                        + ",\"kind\":\"agent_message_delta\",\"turn_id\":\"t1\",\"item_id\":\"i1\",\"target_id\":null,\"at\":\""
                        + at
                        + "\",\"payload\":{\"delta\":\"token " + seq + " \",\"sent_nanos\":" + System.nanoTime() + "}}";
        ProducerRecord<String, byte[]> r = new ProducerRecord<>(
                "console.agent.stream.v1", session.toString(), data.getBytes(StandardCharsets.UTF_8));
        header(r, "ce_specversion", "1.0");
        header(r, "ce_id", UUID.randomUUID().toString());
        header(r, "ce_source", "/agent-runner");
        header(r, "ce_type", "io.devopsconsole.agent.stream.record.v1");
        header(r, "ce_subject", session.toString());
        header(r, "ce_time", at);
        header(r, "ce_actor", "agent-runner");
        header(r, "content-type", "application/json");
        return r;
    }

    private static void header(ProducerRecord<String, byte[]> r, String name, String value) {
        r.headers().add(name, value.getBytes(StandardCharsets.UTF_8));
    }

    private static long heapAfterGc(String pid) throws Exception {
        run("jcmd", pid, "GC.run");
        String info = run("jcmd", pid, "GC.heap_info");
        // SerialGC: "def new generation total 1234K, used 567K" / "tenured generation total ..., used ...K"
        Matcher m = Pattern.compile("used (\\d+)K").matcher(info);
        long used = 0;
        while (m.find()) {
            used += Long.parseLong(m.group(1)) * 1024;
        }
        return used;
    }

    private static String run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(60, TimeUnit.SECONDS);
        return out;
    }

    private static double at(List<Long> sorted, double q) {
        return sorted.isEmpty() ? 0 : sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(q * sorted.size()) - 1));
    }
}
