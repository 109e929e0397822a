package io.devopsconsole.testkit.scaleout;

import io.devopsconsole.testkit.OtlpCollector;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The tracing check, run by the browser test ({@code scripts/e2e}) once the browser sent its messages
 * through the console: among the spans the services exported to the OTLP collector double
 * ({@link OtlpCollector}), one trace must hold an operator's message from end to end — console-ui's
 * request, session-service's request and the publication of the turn request, agent-runner's turn,
 * and session-service storing the turn's stream records and handing them to viewers — each span's
 * parent in the same trace; and a service's log is JSON lines, those written inside a traced request
 * carrying its trace and span ids. {@code java ... TraceCheck <spans.jsonl> [service.log]}; exits non-zero otherwise.
 */
public final class TraceCheck {

    private TraceCheck() {}

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        List<OtlpCollector.Span> spans = null;
        Map<String, List<OtlpCollector.Span>> byTrace = Map.of();
        List<OtlpCollector.Span> whole = null;
        long deadline = System.nanoTime() + 30_000_000_000L; // the exporters send in batches
        while (whole == null && System.nanoTime() < deadline) {
            spans = Files.exists(file)
                    ? Files.readAllLines(file).stream()
                            .filter(l -> !l.isBlank())
                            .map(OtlpCollector::parse)
                            .toList()
                    : List.of();
            byTrace = spans.stream()
                    .collect(Collectors.groupingBy(OtlpCollector.Span::traceId, TreeMap::new, Collectors.toList()));
            whole = byTrace.values().stream()
                    .filter(TraceCheck::endToEnd)
                    .findFirst()
                    .orElse(null);
            if (whole == null) {
                Thread.sleep(500);
            }
        }
        if (whole == null) {
            System.err.println("trace check FAILED: no trace holds a turn from console-ui to agent-runner and back; "
                    + (spans == null ? 0 : spans.size()) + " spans in " + byTrace.size() + " traces; services seen: "
                    + (spans == null
                            ? Set.of()
                            : spans.stream()
                                    .map(OtlpCollector.Span::service)
                                    .collect(Collectors.toCollection(TreeSet::new))));
            System.exit(1);
        }
        // JSON logs: every line of the service's log one JSON object; those logged inside a traced request carry its
        // ids
        if (args.length > 1) {
            com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
            Set<String> consoleTraces = byTrace.entrySet().stream()
                    .filter(e ->
                            e.getValue().stream().anyMatch(sp -> sp.service().equals("console-ui")))
                    .map(Map.Entry::getKey)
                    .collect(Collectors.toSet());
            int lines = 0;
            int traced = 0;
            String example = null;
            for (String line : Files.readAllLines(Path.of(args[1]))) {
                if (line.isBlank() || line.contains(" launcher: ")) {
                    continue;
                }
                com.fasterxml.jackson.databind.JsonNode entry;
                try {
                    entry = json.readTree(line);
                } catch (java.io.IOException e) {
                    System.err.println("trace check FAILED: a log line is not JSON: " + line);
                    System.exit(1);
                    return;
                }
                lines++;
                String trace = entry.path("mdc").path("traceId").asText("");
                if (consoleTraces.contains(trace)) {
                    traced++;
                    if (example == null) {
                        example = entry.path("message").asText() + " [traceId " + trace + ", spanId "
                                + entry.path("mdc").path("spanId").asText() + "]";
                    }
                }
            }
            if (traced == 0) {
                System.err.println("trace check FAILED: none of the " + lines + " JSON log lines of " + args[1]
                        + " carries the id of a trace the console started");
                System.exit(1);
            }
            System.out.println(
                    "logs: " + lines + " JSON lines in " + Path.of(args[1]).getFileName() + ", " + traced
                            + " with the trace and span ids of a console request, e.g. " + example);
        }
        Map<String, Long> perService = whole.stream()
                .collect(Collectors.groupingBy(OtlpCollector.Span::service, TreeMap::new, Collectors.counting()));
        System.out.println(
                "trace: one operator message is one trace (" + whole.get(0).traceId() + "): " + whole.size()
                        + " spans " + perService + "; e.g. "
                        + whole.stream()
                                .map(s -> s.service() + " '" + s.name() + "'")
                                .distinct()
                                .limit(8)
                                .collect(Collectors.joining(", "))
                        + " (" + spans.size() + " spans received in all)");
        System.exit(0);
    }

    /** console-ui, session-service (request, publication, storing) and agent-runner's turn, every parent inside the trace. */
    static boolean endToEnd(List<OtlpCollector.Span> trace) {
        Set<String> ids = trace.stream().map(OtlpCollector.Span::spanId).collect(Collectors.toSet());
        boolean linked = trace.stream().allMatch(s -> s.parentSpanId().isEmpty() || ids.contains(s.parentSpanId()));
        boolean console = trace.stream().anyMatch(s -> s.service().equals("console-ui"));
        boolean published = trace.stream()
                .anyMatch(s -> s.service().equals("session-service")
                        && s.name().startsWith("publish ")
                        && s.name().contains("turn"));
        boolean turn = trace.stream()
                .anyMatch(s -> s.service().equals("agent-runner") && s.name().equals("turn"));
        boolean stored = trace.stream()
                .anyMatch(s ->
                        s.service().equals("session-service") && s.name().equals("store and fan out stream records"));
        return linked && console && published && turn && stored;
    }
}
