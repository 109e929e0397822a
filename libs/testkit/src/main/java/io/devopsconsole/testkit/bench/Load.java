package io.devopsconsole.testkit.bench;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/** A closed-loop HTTP load: {@code concurrency} requests in flight until {@code count} have completed. */
final class Load {

    /** What one run measured. */
    record Result(int count, int failed, double seconds, List<Long> micros, List<HttpResponse<String>> responses) {

        double perSecond() {
            return count / seconds;
        }

        String latency() {
            List<Long> sorted = new ArrayList<>(micros);
            Collections.sort(sorted);
            if (sorted.isEmpty()) {
                return "n/a";
            }
            return String.format(
                    "p50 %.2f ms, p99 %.2f ms, max %.2f ms",
                    at(sorted, 0.50), at(sorted, 0.99), sorted.get(sorted.size() - 1) / 1000.0);
        }

        private static double at(List<Long> sorted, double q) {
            int index = (int) Math.ceil(q * sorted.size()) - 1;
            return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index))) / 1000.0;
        }
    }

    private Load() {}

    static HttpClient client() {
        return HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    static Result run(
            HttpClient http,
            int count,
            int concurrency,
            int expectedStatus,
            boolean keepBodies,
            IntFunction<HttpRequest> request)
            throws InterruptedException {
        Semaphore permits = new Semaphore(concurrency);
        AtomicInteger failed = new AtomicInteger();
        List<Long> micros = Collections.synchronizedList(new ArrayList<>(count));
        List<HttpResponse<String>> responses = Collections.synchronizedList(new ArrayList<>());
        List<CompletableFuture<?>> all = new ArrayList<>(count);
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            permits.acquire();
            long t0 = System.nanoTime();
            all.add(http.sendAsync(request.apply(i), HttpResponse.BodyHandlers.ofString())
                    .whenComplete((response, error) -> {
                        micros.add((System.nanoTime() - t0) / 1_000);
                        permits.release();
                        if (error != null || response.statusCode() != expectedStatus) {
                            if (failed.incrementAndGet() <= 3) {
                                System.err.println("request failed: "
                                        + (error != null ? error : response.statusCode() + " " + response.body()));
                            }
                        } else if (keepBodies) {
                            responses.add(response);
                        }
                    }));
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();
        return new Result(count, failed.get(), (System.nanoTime() - start) / 1e9, micros, responses);
    }
}
