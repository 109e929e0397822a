package io.devopsconsole.console;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.oidc.server.OidcWiremockTestResource;
import java.io.InputStream;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The stream-flood bench ({@code scripts/bench streams}): one signed-in user holds N event streams
 * through the console at once (N = {@code console.bench.streams}, default 500; the per-user budget
 * is lifted for the run so all N are really held), while another signed-in session makes API
 * calls; prints those calls' latency (p50/p99/max) before and during the flood, how many streams
 * were held, and the console JVM's heap. The services behind the console are in-process stand-ins
 * (streams are held open by them), so the figures are the console's own: whether stream
 * connections can crowd out API calls. Run it alone: {@code -Dtest=StreamFloodBench}.
 */
@QuarkusTest
@QuarkusTestResource(OidcWiremockTestResource.class)
@QuarkusTestResource(StubServices.class)
class StreamFloodBench {

    @TestHTTPResource("/")
    URL app;

    @Test
    void oneUsersStreamsDoNotDelayAnotherSessionsApiCalls() throws Exception {
        int streams = Integer.getInteger("console.bench.streams", 500);
        int calls = Integer.getInteger("console.bench.calls", 300);
        ProxyTest login = new ProxyTest();
        String flooder = cookie(login.login());
        String other = cookie(login.login());
        HttpClient http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10))
                .build();

        long[] direct = directCalls(http, calls);
        long[] before = apiCalls(http, other, calls);

        long opening = System.nanoTime();
        List<CompletableFuture<HttpResponse<InputStream>>> pending = new ArrayList<>();
        for (int i = 0; i < streams; i++) {
            pending.add(http.sendAsync(
                    HttpRequest.newBuilder(app.toURI().resolve("/api/sessions/s1/stream?flood=" + i))
                            .header("Cookie", flooder)
                            .header("Accept", "text/event-stream")
                            .timeout(Duration.ofSeconds(60))
                            .build(),
                    HttpResponse.BodyHandlers.ofInputStream()));
        }
        CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
        long openedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - opening);
        Map<Integer, Long> statuses = pending.stream()
                .map(CompletableFuture::join)
                .collect(Collectors.groupingBy(HttpResponse::statusCode, Collectors.counting()));
        // each held stream has delivered its first event: it is really open end to end
        for (CompletableFuture<HttpResponse<InputStream>> f : pending) {
            HttpResponse<InputStream> r = f.join();
            if (r.statusCode() == 200) {
                r.body().read();
            }
        }

        long[] during = apiCalls(http, other, calls);

        for (int i = 0; i < streams; i++) {
            StubServices.RELEASE
                    .computeIfAbsent("flood=" + i, k -> new java.util.concurrent.CountDownLatch(1))
                    .countDown();
        }
        for (CompletableFuture<HttpResponse<InputStream>> f : pending) {
            try (InputStream body = f.join().body()) {
                body.readAllBytes();
            }
        }
        long[] after = apiCalls(http, other, calls);
        Runtime rt = Runtime.getRuntime();
        System.out.printf(
                "stream flood: %d streams of one user held at once (%s by status), opened in %d ms%n",
                statuses.getOrDefault(200, 0L), statuses, openedMs);
        print("stand-in service called directly (no console)", direct);
        print("API call of another session, no streams", before);
        print("API call of another session, " + streams + " streams open", during);
        print("API call of another session, streams closed", after);
        System.out.printf(
                "stream flood: JVM heap used %d MiB (console and bench share this JVM)%n",
                (rt.totalMemory() - rt.freeMemory()) >> 20);
        org.assertj.core.api.Assertions.assertThat(statuses.getOrDefault(200, 0L))
                .as("streams held")
                .isEqualTo(streams);
    }

    private long[] apiCalls(HttpClient http, String cookie, int n) throws Exception {
        long[] nanos = new long[n];
        for (int i = 0; i < n; i++) {
            long t = System.nanoTime();
            HttpResponse<String> r = http.send(
                    HttpRequest.newBuilder(app.toURI().resolve("/api/projects?i=" + i))
                            .header("Cookie", cookie)
                            .timeout(Duration.ofSeconds(30))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            nanos[i] = System.nanoTime() - t;
            if (r.statusCode() != 200) {
                throw new IllegalStateException("API call answered " + r.statusCode() + ": " + r.body());
            }
        }
        Arrays.sort(nanos);
        return nanos;
    }

    private long[] directCalls(HttpClient http, int n) throws Exception {
        String registry = org.eclipse.microprofile.config.ConfigProvider.getConfig()
                .getValue("devops.console.services.registry", String.class);
        long[] nanos = new long[n];
        for (int i = 0; i < n; i++) {
            long t = System.nanoTime();
            http.send(
                    HttpRequest.newBuilder(java.net.URI.create(registry + "/api/projects?i=" + i))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            nanos[i] = System.nanoTime() - t;
        }
        Arrays.sort(nanos);
        return nanos;
    }

    private static void print(String what, long[] sorted) {
        System.out.printf(
                "stream flood: %s: p50 %.1f ms, p99 %.1f ms, max %.1f ms (%d calls)%n",
                what,
                sorted[sorted.length / 2] / 1e6,
                sorted[(int) Math.ceil(sorted.length * 0.99) - 1] / 1e6,
                sorted[sorted.length - 1] / 1e6,
                sorted.length);
    }

    private static String cookie(Map<String, String> cookies) {
        return cookies.entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining("; "));
    }
}
