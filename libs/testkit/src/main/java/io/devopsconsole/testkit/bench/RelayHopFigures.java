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

    /** The steps of a consumer batch in session-service ({@code devops.relay.batch}), after the hops. */
    static final List<String> BATCH_STEPS = List.of("store", "fan_out");

    /** Each printed line starts with its label padded to this width (a hop's or a batch step's). */
    static final int LABEL_WIDTH = 22;

    /** A histogram bucket of a hop ({@code hop=}) or of a batch step ({@code step=}, read as "batch <step>"). */
    private static final Pattern BUCKET = Pattern.compile("^devops_relay_(hop|batch)_seconds_bucket\\{"
            + "(?=[^}]*(?:hop|step)=\"([a-z_]+)\")(?=[^}]*le=\"([^\"]+)\")[^}]*}\\s+([0-9.eE+-]+)");

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
                    String name = m.group(1).equals("batch") ? "batch " + m.group(2) : m.group(2);
                    double le = m.group(3).equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(m.group(3));
                    out.computeIfAbsent(name, h -> new TreeMap<>())
                            .merge(le, Double.parseDouble(m.group(4)), Double::sum);
                }
            }
        }
        return out;
    }

    /**
     * The lines to print: each hop's p50/p99 and count between the two readings, then each step of the
     * consumer's batches (with how many records a batch held on average).
     */
    static List<String> lines(Map<String, TreeMap<Double, Double>> before, Map<String, TreeMap<Double, Double>> after) {
        List<String> out = new ArrayList<>();
        for (String hop : HOPS) {
            line(before, after, hop, "hop " + hop, "records", "").ifPresent(out::add);
        }
        double records = count(before, after, "consume_to_commit");
        double batches = count(before, after, "batch store");
        for (String step : BATCH_STEPS) {
            String each =
                    step.equals("store") && batches > 0 ? String.format(", %.1f records each", records / batches) : "";
            line(before, after, "batch " + step, "batch " + step, "batches", each)
                    .ifPresent(out::add);
        }
        return out;
    }

    private static java.util.Optional<String> line(
            Map<String, TreeMap<Double, Double>> before,
            Map<String, TreeMap<Double, Double>> after,
            String name,
            String label,
            String counted,
            String more) {
        TreeMap<Double, Double> d = difference(before, after, name);
        if (d == null) {
            return java.util.Optional.empty();
        }
        double total = d.lastEntry().getValue();
        if (total <= 0) {
            return java.util.Optional.of(String.format("%-" + LABEL_WIDTH + "s no %s", label, counted));
        }
        return java.util.Optional.of(String.format(
                "%-" + LABEL_WIDTH + "s p50 %7.2f ms  p99 %7.2f ms  (%.0f %s%s)",
                label,
                quantile(d, total, 0.5) * 1e3,
                quantile(d, total, 0.99) * 1e3,
                total,
                counted,
                more));
    }

    /** The cumulative buckets of one histogram between the two readings; null when the services have none. */
    private static TreeMap<Double, Double> difference(
            Map<String, TreeMap<Double, Double>> before, Map<String, TreeMap<Double, Double>> after, String name) {
        TreeMap<Double, Double> a = after.get(name);
        if (a == null) {
            return null;
        }
        TreeMap<Double, Double> b = before.getOrDefault(name, new TreeMap<>());
        TreeMap<Double, Double> d = new TreeMap<>();
        a.forEach((le, n) -> d.put(le, n - b.getOrDefault(le, 0.0)));
        return d;
    }

    private static double count(
            Map<String, TreeMap<Double, Double>> before, Map<String, TreeMap<Double, Double>> after, String name) {
        TreeMap<Double, Double> d = difference(before, after, name);
        return d == null || d.isEmpty() ? 0 : d.lastEntry().getValue();
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
