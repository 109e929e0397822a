package io.devopsconsole.testkit.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;

/**
 * The registry's read and write paths under load, against a running stack: single-target GETs
 * ({@code GET /api/ssh-targets/{id}}), a paged list, and target registrations through the outbox.
 *
 * <p>{@code java ... RegistryBench <registryUrl> <token> [reads=30000] [writes=3000] [concurrency=32]}
 */
public final class RegistryBench {

    public static void main(String[] args) throws Exception {
        String registry = args[0];
        String token = args[1];
        int reads = args.length > 2 ? Integer.parseInt(args[2]) : 30_000;
        int writes = args.length > 3 ? Integer.parseInt(args[3]) : 3_000;
        int concurrency = args.length > 4 ? Integer.parseInt(args[4]) : 32;
        HttpClient http = Load.client();
        String run = UUID.randomUUID().toString().substring(0, 6);

        HttpResponse<String> created = http.send(
                post(
                        registry,
                        token,
                        "{\"name\":\"bench-" + run + "-read\",\"host\":\"192.0.2.1\",\"access_path\":\"lan\"}"),
                HttpResponse.BodyHandlers.ofString());
        if (created.statusCode() != 201) {
            throw new IllegalStateException("could not register the read target: " + created.body());
        }
        String id = new ObjectMapper().readTree(created.body()).path("id").asText();
        HttpRequest get = HttpRequest.newBuilder(URI.create(registry + "/api/ssh-targets/" + id))
                .header("Authorization", "Bearer " + token)
                .timeout(Duration.ofSeconds(30))
                .GET()
                .build();
        HttpRequest list = HttpRequest.newBuilder(URI.create(registry + "/api/ssh-targets?size=20"))
                .header("Authorization", "Bearer " + token)
                .timeout(Duration.ofSeconds(30))
                .GET()
                .build();

        int failed = 0;
        if (reads > 0) { // scripts/bench uses wrk for the reads when it is installed, and passes reads=0
            Load.run(http, Math.min(5_000, reads), concurrency, 200, false, i -> get); // warm-up
            Load.Result single = Load.run(http, reads, concurrency, 200, false, i -> get);
            print("GET /api/ssh-targets/{id}", single, concurrency);
            Load.Result paged = Load.run(http, Math.max(1, reads / 5), concurrency, 200, false, i -> list);
            print("GET /api/ssh-targets?size=20", paged, concurrency);
            failed += single.failed() + paged.failed();
        }
        Load.Result written = Load.run(
                http,
                writes,
                concurrency,
                201,
                false,
                i -> post(
                        registry,
                        token,
                        "{\"name\":\"bench-" + run + "-" + i + "\",\"host\":\"192.0.2." + (i % 250 + 1)
                                + "\",\"access_path\":\"lan\"}"));
        print("POST /api/ssh-targets (row + outbox event)", written, concurrency);
        if (failed + written.failed() > 0) {
            System.exit(1);
        }
    }

    private static HttpRequest post(String registry, String token, String body) {
        return HttpRequest.newBuilder(URI.create(registry + "/api/ssh-targets"))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
    }

    private static void print(String what, Load.Result r, int concurrency) {
        System.out.printf(
                "%-45s %6d requests, %d failed, %d concurrent: %7.0f req/s; %s%n",
                what, r.count(), r.failed(), concurrency, r.perSecond(), r.latency());
    }
}
