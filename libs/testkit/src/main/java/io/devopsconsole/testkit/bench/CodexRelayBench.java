package io.devopsconsole.testkit.bench;

import io.devopsconsole.events.registry.RuntimeProfileState;
import io.devopsconsole.testkit.codex.CodexHome;
import io.devopsconsole.testkit.codex.OpenSshServer;
import io.devopsconsole.testkit.codex.ScriptedModelServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The relay with the real codex binary, per delta, against a running stack (scripts/up): the scripted
 * model server in this JVM streams each answer's deltas at a fixed rate, each stamped with the time it
 * was written ({@code STAMPED: n}); codex turns them into {@code item/agentMessage/delta} lines.
 * <ul>
 *   <li>the floor: the same binary and model, N {@code codex app-server} processes driven directly over
 *       their stdio (what codex itself adds: model delta written → line read);</li>
 *   <li>the console: N sessions whose workers run the same binary behind OpenSSH on loopback (several
 *       sshd instances, as several hosts), the runner's stream on Kafka and session-service's SSE read
 *       here (model delta written → stream record on Kafka, → SSE event), with each hop's share from the
 *       services' {@code devops.relay.hop} histograms.</li>
 * </ul>
 * Both in the same run, the floor first, after untimed warm-up rounds.
 * {@code java ... CodexRelayBench <bootstrap> <sessionUrl> <token> <identity.pub> <codex> <workDir>
 * [sessions=10] [deltas=200] [everyMs=50] [warmUpRounds=1] [hosts=3]}
 */
public final class CodexRelayBench {

    private static final Pattern STAMP = Pattern.compile("@@T(\\d+)");

    public static void main(String[] args) throws Exception {
        String bootstrap = args[0];
        String base = args[1];
        String token = args[2];
        Path identity = Path.of(args[3]);
        Path codex = Path.of(args[4]);
        Path dir = Path.of(args[5]).toAbsolutePath();
        int sessions = args.length > 6 ? Integer.parseInt(args[6]) : 10;
        int deltas = args.length > 7 ? Integer.parseInt(args[7]) : 200;
        long everyMs = args.length > 8 ? Long.parseLong(args[8]) : 50;
        int warmUps = args.length > 9 ? Integer.parseInt(args[9]) : 1;
        int hostCount = Math.max(1, Math.min(sessions, args.length > 10 ? Integer.parseInt(args[10]) : 3));
        Files.createDirectories(dir);
        String path = CodexStdio.searchPath(codex);
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Files.deleteIfExists(bin.resolve("codex"));
        Files.createSymbolicLink(bin.resolve("codex"), codex);
        List<OpenSshServer> hosts = new ArrayList<>();
        List<CodexStdio> direct = new ArrayList<>();
        try (ScriptedModelServer model = ScriptedModelServer.start("127.0.0.1", everyMs)) {
            Path home = CodexHome.write(dir.resolve("codex-home"), model.baseUrl());
            System.out.printf(
                    "agent relay, real codex (%s): %d sessions, %d deltas each, one every %d ms, workers behind %d"
                            + " OpenSSH host(s)%n",
                    CodexTurnBench.version(codex), sessions, deltas, everyMs, hostCount);
            for (int i = 0; i < sessions; i++) {
                direct.add(CodexStdio.start(codex, home, path, Files.createDirectories(dir.resolve("direct-" + i))));
            }
            floor(direct, 1); // the direct processes' first turn (start-up), untimed
            for (int h = 0; h < hostCount; h++) {
                hosts.add(OpenSshServer.start(
                        dir.resolve("sshd-" + h),
                        Files.readString(identity).strip(),
                        Map.of("PATH", bin + ":" + path, "CODEX_HOME", home.toString())));
            }
            List<UUID> ids = sessions(bootstrap, base, token, model, hosts, dir, sessions);
            Console console = new Console(bootstrap, base, token, ids);
            try {
                console.warm();
                for (int round = 1; round <= warmUps; round++) {
                    System.out.printf("  warm-up round %d of %d (not counted):%n", round, warmUps);
                    System.out.printf(
                            "    floor (codex over stdio, model delta -> line read): %s%n",
                            AgentRelayBench.figures(floor(direct, deltas)));
                    console.round(deltas, everyMs);
                }
                System.out.printf(
                        "  %d session(s): model delta -> line read from codex over stdio (the floor): %s%n",
                        sessions, AgentRelayBench.figures(floor(direct, deltas)));
                console.round(deltas, everyMs);
            } finally {
                console.close();
                BenchInventory.stopSessions(HttpClient.newHttpClient(), base, token, ids);
            }
        } finally {
            direct.forEach(CodexStdio::close);
            hosts.forEach(OpenSshServer::close);
        }
        System.exit(0);
    }

    /** One turn of {@code deltas} stamped deltas on every direct process at once: model delta → line read. */
    private static ConcurrentLinkedQueue<Long> floor(List<CodexStdio> direct, int deltas) throws Exception {
        ConcurrentLinkedQueue<Long> samples = new ConcurrentLinkedQueue<>();
        List<Exception> failures = new CopyOnWriteArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (CodexStdio app : direct) {
            Thread t = new Thread(
                    () -> {
                        try {
                            app.turn("STAMPED: " + deltas);
                            app.until(m -> {
                                if (CodexStdio.is(m, "item/agentMessage/delta")) {
                                    long now = System.nanoTime();
                                    Matcher s = STAMP.matcher(
                                            m.path("params").path("delta").asText());
                                    while (s.find()) {
                                        samples.add(now - Long.parseLong(s.group(1)));
                                    }
                                }
                                return CodexStdio.is(m, "turn/completed");
                            });
                        } catch (Exception e) {
                            failures.add(e);
                        }
                    },
                    "bench-codex-direct");
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) {
            t.join();
        }
        if (!failures.isEmpty()) {
            throw failures.get(0);
        }
        return samples;
    }

    /** N projects, each with a runtime profile on one of the hosts (round robin), and a session each. */
    private static List<UUID> sessions(
            String bootstrap,
            String base,
            String token,
            ScriptedModelServer model,
            List<OpenSshServer> hosts,
            Path dir,
            int sessions)
            throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        List<UUID> ids = new ArrayList<>();
        try (BenchInventory inventory = new BenchInventory(bootstrap)) {
            List<UUID> targets = new ArrayList<>();
            for (OpenSshServer sshd : hosts) {
                targets.add(inventory.target(
                        "bench-codex-" + UUID.randomUUID().toString().substring(0, 6),
                        sshd.port(),
                        System.getProperty("user.name"),
                        sshd.hostKeyLine()));
            }
            List<UUID> projects = new ArrayList<>();
            for (int i = 0; i < sessions; i++) {
                UUID project = inventory.project();
                inventory.profile(
                        project,
                        targets.get(i % targets.size()),
                        Files.createDirectories(dir.resolve("relayed-" + project))
                                .toString(),
                        new RuntimeProfileState.CodexOptions(
                                "mock-model", "mock", model.baseUrl(), "on-request", "workspace-write"));
                projects.add(project);
            }
            inventory.flush();
            for (UUID project : projects) {
                ids.add(BenchInventory.openSession(http, base, token, project));
            }
        }
        return ids;
    }

    /** The console side: the stream tail on Kafka, one SSE viewer per session, turns posted as messages. */
    private static final class Console implements AutoCloseable {
        private final String base;
        private final String token;
        private final List<UUID> ids;
        private final HttpClient http = HttpClient.newHttpClient();
        /** Each stamped delta seen: {written, received} (System.nanoTime of this JVM). */
        private final ConcurrentLinkedQueue<long[]> viaKafka = new ConcurrentLinkedQueue<>();

        private final ConcurrentLinkedQueue<long[]> viaSse = new ConcurrentLinkedQueue<>();
        private final Set<String> streamed = ConcurrentHashMap.newKeySet();
        private final Set<String> refused = ConcurrentHashMap.newKeySet();
        private final Set<String> completed = ConcurrentHashMap.newKeySet();
        private final AtomicBoolean stop = new AtomicBoolean();
        private final Thread tail;
        private final SseLatencyReader viewers;

        Console(String bootstrap, String base, String token, List<UUID> ids) throws Exception {
            this.base = base;
            this.token = token;
            this.ids = ids;
            this.tail = new Thread(
                    () -> AgentRelayBench.tailStream(
                            bootstrap,
                            (sent, at) -> viaKafka.add(new long[] {sent, at}),
                            streamed,
                            refused,
                            completed,
                            stop),
                    "bench-stream-tail");
            tail.start();
            viewers = new SseLatencyReader(AgentRelayBench.DELTA_STAMP);
            for (UUID id : ids) {
                viewers.open(
                        URI.create(base + "/api/sessions/" + id + "/stream"),
                        token,
                        (sent, at) -> viaSse.add(new long[] {sent, at}),
                        new AtomicLong());
            }
        }

        /**
         * Every session's first turn (the worker starts: SSH, app-server, thread); a turn that reached the
         * runner before its projection took the profile in is refused, and is sent again.
         */
        void warm() throws Exception {
            completed.clear();
            AgentRelayBench.post(http, base, token, ids, "STAMPED: 1");
            long deadline = System.nanoTime() + Duration.ofSeconds(240).toNanos();
            while (completed.size() < ids.size() && System.nanoTime() < deadline) {
                List<UUID> again = ids.stream()
                        .filter(id -> refused.remove(id.toString()) && !completed.contains(id.toString()))
                        .toList();
                AgentRelayBench.post(http, base, token, again, "STAMPED: 1");
                Thread.sleep(100);
            }
            if (completed.size() < ids.size()) {
                throw new IllegalStateException("warm-up: " + completed.size() + " of " + ids.size()
                        + " sessions completed a turn (is the agent-runner consuming? see its log)");
            }
        }

        /**
         * One measured turn of {@code deltas} stamped deltas on every session at once. Printed whole and split
         * at one second after the turns were posted: the first second is when every session's turn starts
         * together (the console's per-turn work: the message stored, the command relayed, the worker's turn
         * begun), the rest is the steady stream.
         */
        void round(int deltas, long everyMs) throws Exception {
            viaKafka.clear();
            viaSse.clear();
            completed.clear();
            RelayHopFigures hops = new RelayHopFigures(http, AgentRelayBench.metricsUrls());
            var before = hops.read();
            ProcessCpu cpu = ProcessCpu.start();
            long posted = System.nanoTime();
            AgentRelayBench.post(http, base, token, ids, "STAMPED: " + deltas);
            long total = (long) ids.size() * deltas;
            long deadline = System.nanoTime()
                    + Duration.ofSeconds(deltas * everyMs / 1000 + 60).toNanos();
            long steady = posted + Duration.ofSeconds(1).toNanos();
            Map<String, java.util.TreeMap<Double, Double>> mid = null; // the hops at one second
            while ((viaSse.size() < total || viaKafka.size() < total || completed.size() < ids.size())
                    && System.nanoTime() < deadline) {
                Thread.sleep(mid == null ? 10 : 100);
                if (mid == null && System.nanoTime() >= steady) {
                    mid = hops.read();
                }
            }
            var after = hops.read();
            String cpuLine = cpu.line(total);
            for (var via : List.of(
                    Map.entry("stream record on Kafka", viaKafka), Map.entry("SSE event via the console", viaSse))) {
                List<long[]> samples = List.copyOf(via.getValue());
                System.out.printf(
                        "  %d session(s): model delta -> %s: %s (%d of %d)%n",
                        ids.size(),
                        via.getKey(),
                        AgentRelayBench.figures(latencies(samples, 0, Long.MAX_VALUE)),
                        samples.size(),
                        total);
                System.out.printf(
                        "      first second of the turns: %s; after it: %s%n",
                        AgentRelayBench.figures(latencies(samples, 0, steady)),
                        AgentRelayBench.figures(latencies(samples, steady, Long.MAX_VALUE)));
            }
            for (String line : RelayHopFigures.lines(before, after)) {
                System.out.printf("        %s%n", line);
            }
            System.out.printf("      %s%n", cpuLine);
            if (mid != null) {
                System.out.println("      each hop in the first second of the turns | after it:");
                List<String> first = RelayHopFigures.lines(before, mid);
                List<String> rest = RelayHopFigures.lines(mid, after);
                for (int i = 0; i < Math.min(first.size(), rest.size()); i++) {
                    System.out.printf(
                            "        %s | %s%n",
                            first.get(i),
                            rest.get(i).substring(RelayHopFigures.LABEL_WIDTH).strip());
                }
            }
            String timeline = System.getProperty("devops.bench.timeline");
            if (timeline != null) { // each SSE delta: written (µs after the turns were posted), latency (µs)
                StringBuilder out = new StringBuilder();
                viaSse.forEach(t -> out.append((t[0] - posted) / 1000)
                        .append(' ')
                        .append((t[1] - t[0]) / 1000)
                        .append('\n'));
                Files.writeString(Path.of(timeline), out);
            }
        }

        /** The latencies of the samples written in [from, to). */
        private static List<Long> latencies(List<long[]> samples, long from, long to) {
            return samples.stream()
                    .filter(t -> t[0] >= from && t[0] < to)
                    .map(t -> t[1] - t[0])
                    .toList();
        }

        @Override
        public void close() throws Exception {
            stop.set(true);
            tail.join();
            viewers.close();
        }
    }
}
