package io.devopsconsole.testkit.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The services' per-hop histograms ({@code devops.relay.hop}, platform {@code RelayHops}) for exactly one
 * bench phase: the Prometheus buckets read before and after it, subtracted, and each hop's p50/p99 taken
 * from the difference (the bucket's upper bound, interpolated within the bucket as Prometheus does).
 */
final class RelayHopFigures {

    /** The order hops happen in, from the worker's line to a viewer. */
    static final List<String> HOPS = List.of(
            "line_to_send",
            "send_to_ack",
            "send_to_consume",
            "send_to_poll",
            "poll_to_consume",
            "consume_to_commit",
            "commit_to_emit");

    private static final Pattern BUCKET = Pattern.compile(
            "^devops_relay_hop_seconds_bucket\\{(?=[^}]*hop=\"([a-z_]+)\")(?=[^}]*le=\"([^\"]+)\")[^}]*}\\s+([0-9.eE+-]+)");

    private final HttpClient http;
    private final List<String> urls;

    RelayHopFigures(HttpClient http, List<String> urls) {
        this.http = http;
        this.urls = urls;
    }

    /** hop → (upper bound in seconds → cumulative count), summed over the services' replicas read. */
    Map<String, TreeMap<Double, Double>> read() {
        Map<String, TreeMap<Double, Double>> out = new LinkedHashMap<>();
        for (String url : urls) {
            String text;
            try {
                text = http.send(
                                HttpRequest.newBuilder(URI.create(url)).GET().build(),
                                HttpResponse.BodyHandlers.ofString())
                        .body();
            } catch (Exception e) {
                System.out.printf("  (per-hop figures: %s not read: %s)%n", url, e);
                continue;
            }
            for (String line : text.split("\n")) {
                Matcher m = BUCKET.matcher(line);
                if (m.find()) {
                    double le = m.group(2).equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(m.group(2));
                    out.computeIfAbsent(m.group(1), h -> new TreeMap<>())
                            .merge(le, Double.parseDouble(m.group(3)), Double::sum);
                }
            }
        }
        return out;
    }

    /** The lines to print: each hop's p50/p99 and count between the two readings. */
    static List<String> lines(Map<String, TreeMap<Double, Double>> before, Map<String, TreeMap<Double, Double>> after) {
        List<String> out = new ArrayList<>();
        for (String hop : HOPS) {
            TreeMap<Double, Double> a = after.get(hop);
            if (a == null) {
                continue;
            }
            TreeMap<Double, Double> b = before.getOrDefault(hop, new TreeMap<>());
            TreeMap<Double, Double> d = new TreeMap<>();
            a.forEach((le, n) -> d.put(le, n - b.getOrDefault(le, 0.0)));
            double total = d.lastEntry().getValue();
            if (total <= 0) {
                out.add(String.format("%-18s no records", hop));
                continue;
            }
            out.add(String.format(
                    "%-18s p50 %7.2f ms  p99 %7.2f ms  (%.0f records)",
                    hop, quantile(d, total, 0.5) * 1e3, quantile(d, total, 0.99) * 1e3, total));
        }
        return out;
    }

    static double quantile(TreeMap<Double, Double> cumulative, double total, double q) {
        double rank = q * total;
        double lowerBound = 0;
        double lowerCount = 0;
        for (Map.Entry<Double, Double> e : cumulative.entrySet()) {
            if (e.getValue() >= rank) {
                if (e.getKey().isInfinite()) {
                    return lowerBound;
                }
                double inBucket = e.getValue() - lowerCount;
                return inBucket <= 0
                        ? e.getKey()
                        : lowerBound + (e.getKey() - lowerBound) * (rank - lowerCount) / inBucket;
            }
            lowerBound = e.getKey();
            lowerCount = e.getValue();
        }
        return lowerBound;
    }
}
