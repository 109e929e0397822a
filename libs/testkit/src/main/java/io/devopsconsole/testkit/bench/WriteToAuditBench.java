package io.devopsconsole.testkit.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Measures the backbone end to end against a running stack: N project writes through
 * registry-service (the HTTP write, the outbox, the relay, Kafka, the audit consumer) and the
 * time until each one's audit record exists. Prints write throughput and latency, and
 * write-to-audit-row latency percentiles.
 *
 * <p>{@code java ... WriteToAuditBench <registryUrl> <auditUrl> <token> [writes] [concurrency]}
 */
public final class WriteToAuditBench {

    private static final ObjectMapper JSON = new ObjectMapper();

    public static void main(String[] args) throws Exception {
        String registry = args[0];
        String audit = args[1];
        String token = args[2];
        int writes = args.length > 3 ? Integer.parseInt(args[3]) : 10_000;
        int concurrency = args.length > 4 ? Integer.parseInt(args[4]) : 32;
        HttpClient http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
        String run = UUID.randomUUID().toString().substring(0, 6);

        // warm-up: 200 writes not counted
        write(http, registry, token, "warm-" + run, 200, concurrency, new ConcurrentHashMap<>(), new ArrayList<>());

        Map<String, Instant> sentAt = new ConcurrentHashMap<>();
        List<Long> writeMicros = Collections.synchronizedList(new ArrayList<>());
        Instant start = Instant.now();
        int failed = write(http, registry, token, "bench-" + run, writes, concurrency, sentAt, writeMicros);
        Instant end = Instant.now();
        double writeSeconds = Duration.between(start, end).toNanos() / 1e9;

        // collect the audit records of this run's projects
        Map<String, Instant> recordedAt = new HashMap<>();
        Map<String, Instant> eventTime = new HashMap<>();
        Instant deadline = Instant.now().plusSeconds(120);
        while (recordedAt.size() < sentAt.size() && Instant.now().isBefore(deadline)) {
            recordedAt.clear();
            eventTime.clear();
            String cursor = null;
            do {
                String url = audit + "/api/audit/events?action=project.created&limit=500&from="
                        + URLEncoder.encode(start.minusSeconds(1).toString(), StandardCharsets.UTF_8)
                        + (cursor == null ? "" : "&cursor=" + cursor);
                JsonNode page = JSON.readTree(http.send(get(url, token), HttpResponse.BodyHandlers.ofString())
                        .body());
                for (JsonNode item : page.path("items")) {
                    String id = item.path("resource_id").asText();
                    if (sentAt.containsKey(id)) {
                        recordedAt.put(
                                id,
                                OffsetDateTime.parse(item.path("recorded_at").asText())
                                        .toInstant());
                        eventTime.put(
                                id,
                                OffsetDateTime.parse(item.path("time").asText()).toInstant());
                    }
                }
                cursor = page.path("next_cursor").isNull()
                        ? null
                        : page.path("next_cursor").asText(null);
            } while (cursor != null);
        }

        List<Long> endToEnd = new ArrayList<>();
        List<Long> commitToAudit = new ArrayList<>();
        Instant lastRecorded = start;
        for (Map.Entry<String, Instant> e : recordedAt.entrySet()) {
            endToEnd.add(Duration.between(sentAt.get(e.getKey()), e.getValue()).toNanos() / 1_000);
            commitToAudit.add(
                    Duration.between(eventTime.get(e.getKey()), e.getValue()).toNanos() / 1_000);
            if (e.getValue().isAfter(lastRecorded)) {
                lastRecorded = e.getValue();
            }
        }
        double pipelineSeconds = Duration.between(start, lastRecorded).toNanos() / 1e9;

        System.out.printf("writes: %d (failed %d), concurrency %d%n", writes, failed, concurrency);
        System.out.printf("write throughput: %.0f writes/s (%.2f s)%n", writes / writeSeconds, writeSeconds);
        System.out.printf("HTTP write latency: %s%n", percentiles(writeMicros));
        System.out.printf("audit rows found: %d of %d%n", recordedAt.size(), sentAt.size());
        System.out.printf("write sent -> audit row: %s%n", percentiles(endToEnd));
        System.out.printf("event stamped in the write transaction -> audit row: %s%n", percentiles(commitToAudit));
        System.out.printf(
                "end-to-end throughput (first write sent to last audit row): %.0f events/s (%.2f s)%n",
                recordedAt.size() / pipelineSeconds, pipelineSeconds);
        if (recordedAt.size() < sentAt.size() || failed > 0) {
            System.exit(1);
        }
    }

    private static int write(
            HttpClient http,
            String registry,
            String token,
            String prefix,
            int count,
            int concurrency,
            Map<String, Instant> sentAt,
            List<Long> micros)
            throws InterruptedException {
        Semaphore permits = new Semaphore(concurrency);
        AtomicInteger failed = new AtomicInteger();
        List<CompletableFuture<?>> all = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            permits.acquire();
            String body = "{\"slug\":\"" + prefix + "-" + i + "\",\"name\":\"Bench " + i
                    + "\",\"default_working_directory\":\"/srv/bench/" + i + "\"}";
            HttpRequest request = HttpRequest.newBuilder(URI.create(registry + "/api/projects"))
                    .header("Authorization", "Bearer " + token)
                    .header("Content-Type", "application/json")
                    .timeout(Duration.ofSeconds(30))
                    .POST(HttpRequest.BodyPublishers.ofString(body))
                    .build();
            Instant sent = Instant.now();
            long t0 = System.nanoTime();
            all.add(http.sendAsync(request, HttpResponse.BodyHandlers.ofString())
                    .whenComplete((response, error) -> {
                        micros.add((System.nanoTime() - t0) / 1_000);
                        permits.release();
                        if (error != null || response.statusCode() != 201) {
                            failed.incrementAndGet();
                            if (failed.get() <= 3) {
                                System.err.println("write failed: "
                                        + (error != null ? error : response.statusCode() + " " + response.body()));
                            }
                            return;
                        }
                        try {
                            sentAt.put(JSON.readTree(response.body()).path("id").asText(), sent);
                        } catch (Exception e) {
                            failed.incrementAndGet();
                        }
                    }));
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();
        return failed.get();
    }

    private static HttpRequest get(String url, String token) {
        return HttpRequest.newBuilder(URI.create(url))
                .header("Authorization", "Bearer " + token)
                .timeout(Duration.ofSeconds(30))
                .GET()
                .build();
    }

    private static String percentiles(List<Long> micros) {
        if (micros.isEmpty()) {
            return "n/a";
        }
        List<Long> sorted = new ArrayList<>(micros);
        Collections.sort(sorted);
        return String.format(
                "p50 %.1f ms, p99 %.1f ms, max %.1f ms (n=%d)",
                at(sorted, 0.50), at(sorted, 0.99), sorted.get(sorted.size() - 1) / 1000.0, sorted.size());
    }

    private static double at(List<Long> sorted, double q) {
        int index = (int) Math.ceil(q * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index))) / 1000.0;
    }
}
