package io.devopsconsole.testkit.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The CPU each process of the stack spent in one bench phase, per relayed delta: the processes named in the
 * system property {@code devops.bench.processes} ({@code name=pid,...}, set by scripts/bench from the stack's
 * pid files; a process's children count with it, so PostgreSQL's postmaster brings its backends) and the bench
 * itself with its children (the scripted or real workers, their SSH servers, the readers). CPU seconds vary
 * less between runs on a shared machine than latencies do, so an A/B reads better in them.
 */
final class ProcessCpu {

    private final Map<String, Long> pids = new LinkedHashMap<>();
    private final Map<String, Map<Long, Duration>> before;
    private final long startedNanos;

    private ProcessCpu(String spec) {
        for (String pair : spec.split(",")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                try {
                    pids.put(
                            pair.substring(0, eq).strip(),
                            Long.parseLong(pair.substring(eq + 1).strip()));
                } catch (NumberFormatException e) {
                    System.out.println("  (ignored in devops.bench.processes: " + pair + ")");
                }
            }
        }
        this.before = read();
        this.startedNanos = System.nanoTime();
    }

    /** From now on: every named process's and the bench's CPU so far (read again by {@link #line}). */
    static ProcessCpu start() {
        return new ProcessCpu(System.getProperty("devops.bench.processes", ""));
    }

    /** Each named process's and its children's CPU so far, by pid (a child can start or end in a phase). */
    private Map<String, Map<Long, Duration>> read() {
        Map<String, Map<Long, Duration>> cpu = new LinkedHashMap<>();
        pids.forEach((name, pid) -> ProcessHandle.of(pid).ifPresent(p -> cpu.put(name, withChildren(p))));
        cpu.put("bench", withChildren(ProcessHandle.current()));
        return cpu;
    }

    private static Map<Long, Duration> withChildren(ProcessHandle process) {
        Map<Long, Duration> cpu = new LinkedHashMap<>();
        cpu.put(process.pid(), cpu(process));
        process.descendants().forEach(child -> cpu.put(child.pid(), cpu(child)));
        return cpu;
    }

    private static Duration cpu(ProcessHandle process) {
        return process.info().totalCpuDuration().orElse(Duration.ZERO);
    }

    /**
     * "CPU per delta: session-service 2.41 ms, ...; all 6.02 ms; 1.84 of 2 cores busy" for the phase since
     * {@link #start()}, the processes in the order named, the bench last.
     */
    String line(long deltas) {
        Map<String, Map<Long, Duration>> after = read();
        double wallSeconds = (System.nanoTime() - startedNanos) / 1e9;
        List<String> parts = new ArrayList<>();
        double all = 0;
        for (var e : after.entrySet()) {
            Map<Long, Duration> was = before.get(e.getKey());
            if (was == null) {
                continue; // started during the phase: its figure would include its start
            }
            long nanos = 0; // a child that began in the phase counts whole; one that ended in it is lost
            for (var p : e.getValue().entrySet()) {
                nanos += Math.max(
                        0,
                        p.getValue()
                                .minus(was.getOrDefault(p.getKey(), Duration.ZERO))
                                .toNanos());
            }
            double seconds = nanos / 1e9;
            all += seconds;
            parts.add(String.format("%s %.2f ms", e.getKey(), seconds * 1000 / Math.max(1, deltas)));
        }
        return String.format(
                "CPU per delta: %s; all %.2f ms; %.2f of %d cores busy",
                String.join(", ", parts),
                all * 1000 / Math.max(1, deltas),
                all / Math.max(wallSeconds, 1e-9),
                Runtime.getRuntime().availableProcessors());
    }
}
