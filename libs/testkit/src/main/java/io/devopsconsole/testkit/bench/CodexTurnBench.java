package io.devopsconsole.testkit.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.devopsconsole.events.registry.RuntimeProfileState;
import io.devopsconsole.testkit.SseClient;
import io.devopsconsole.testkit.codex.CodexHome;
import io.devopsconsole.testkit.codex.OpenSshServer;
import io.devopsconsole.testkit.codex.ScriptedModelServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The real codex binary's per-turn start-up as an operator sees it: turn start → first agent
 * message delta, (a) driving {@code codex app-server} directly over its stdio, and (b) through the
 * console: operator message posted to session-service → runner → SSH (Debian OpenSSH on loopback,
 * started here) → the same binary → back to an SSE client. Both use the same scripted model server
 * (50 ms before its first delta) and a thread that already exists, so the difference is the relay.
 * {@code java ... CodexTurnBench <bootstrap> <sessionUrl> <token> <identity.pub> <codex> <workDir> [turns=10]}
 */
public final class CodexTurnBench {

    private static final ObjectMapper JSON = new ObjectMapper();

    public static void main(String[] args) throws Exception {
        String bootstrap = args[0];
        String base = args[1];
        String token = args[2];
        Path identity = Path.of(args[3]);
        Path codex = Path.of(args[4]);
        Path dir = Path.of(args[5]).toAbsolutePath();
        int turns = args.length > 6 ? Integer.parseInt(args[6]) : 10;
        Files.createDirectories(dir);
        try (ScriptedModelServer model = ScriptedModelServer.start()) {
            Path home = CodexHome.write(dir.resolve("codex-home"), model.baseUrl());
            String path = CodexStdio.searchPath(codex);
            List<Long> direct = direct(codex, home, path, Files.createDirectories(dir.resolve("direct")), turns);
            List<Long> relayed = relayed(bootstrap, base, token, identity, codex, home, path, dir, model, turns);
            System.out.printf(
                    "real codex %s, %d turns each (after one warm-up turn), turn start -> first agent delta:%n",
                    version(codex), turns);
            System.out.printf("  driven directly over stdio:               %s%n", figures(direct));
            System.out.printf("  through the console (message -> SSE):     %s%n", figures(relayed));
            System.out.printf(
                    "  relay overhead (median difference):       %.1f ms%n", (median(relayed) - median(direct)) / 1e6);
        }
        System.exit(0);
    }

    private static List<Long> direct(Path codex, Path home, String path, Path work, int turns) throws Exception {
        List<Long> samples = new ArrayList<>();
        try (CodexStdio app = CodexStdio.start(codex, home, path, work)) {
            for (int i = 0; i <= turns; i++) {
                long start = System.nanoTime();
                app.turn("Say hello");
                app.until(m -> CodexStdio.is(m, "item/agentMessage/delta"));
                long first = System.nanoTime() - start;
                app.until(m -> CodexStdio.is(m, "turn/completed"));
                if (i > 0) {
                    samples.add(first);
                }
            }
        }
        return samples;
    }

    private static List<Long> relayed(
            String bootstrap,
            String base,
            String token,
            Path identity,
            Path codex,
            Path home,
            String path,
            Path dir,
            ScriptedModelServer model,
            int turns)
            throws Exception {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Files.deleteIfExists(bin.resolve("codex"));
        Files.createSymbolicLink(bin.resolve("codex"), codex);
        try (OpenSshServer sshd = OpenSshServer.start(
                dir.resolve("sshd"),
                Files.readString(identity).strip(),
                Map.of("PATH", bin + ":" + path, "CODEX_HOME", home.toString()))) {
            UUID project;
            try (BenchInventory inventory = new BenchInventory(bootstrap)) {
                project = inventory.project();
                UUID target = inventory.target(
                        "bench-codex-" + project.toString().substring(0, 6),
                        sshd.port(),
                        System.getProperty("user.name"),
                        sshd.hostKeyLine());
                inventory.profile(
                        project,
                        target,
                        dir.resolve("relayed").toString(),
                        new RuntimeProfileState.CodexOptions(
                                "mock-model", "mock", model.baseUrl(), "on-request", "workspace-write"));
            }
            HttpClient http = HttpClient.newHttpClient();
            String session =
                    BenchInventory.openSession(http, base, token, project).toString();
            List<Long> samples = new ArrayList<>();
            long begun = System.nanoTime();
            try (SseClient sse =
                    SseClient.open(URI.create(base + "/api/sessions/" + session + "/stream"), token, null)) {
                for (int i = 0; i <= turns; i++) {
                    int seen;
                    long start;
                    SseClient.Event delta;
                    do {
                        // the first message may reach the runner before its projection took the profile in:
                        // that turn is refused (turn_failed) and the message is sent again
                        seen = sse.events().size();
                        start = System.nanoTime();
                        HttpResponse<String> r = http.send(
                                HttpRequest.newBuilder(URI.create(base + "/api/sessions/" + session + "/messages"))
                                        .header("Authorization", "Bearer " + token)
                                        .header("Content-Type", "application/json")
                                        .POST(HttpRequest.BodyPublishers.ofString("{\"text\":\"Say hello\"}"))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
                        if (r.statusCode() != 201) {
                            throw new IllegalStateException("message answered " + r.statusCode() + ": " + r.body());
                        }
                        delta = await(
                                sse, seen, 120, "agent_message_delta", i == 0 ? "turn_failed" : "agent_message_delta");
                    } while (i == 0
                            && kind(delta).equals("turn_failed")
                            && System.nanoTime() - begun < 60_000_000_000L);
                    if (kind(delta).equals("turn_failed")) {
                        throw new IllegalStateException("the console refused the turn: " + delta.data());
                    }
                    await(sse, seen, 120, "turn_completed", "turn_completed");
                    if (i > 0) { // the first turn also starts the worker (SSH, app-server, thread): not a turn's cost
                        samples.add(delta.receivedNanos() - start);
                    }
                }
            } finally {
                BenchInventory.stopSessions(http, base, token, List.of(UUID.fromString(session)));
            }
            return samples;
        }
    }

    /** The first event after {@code from} of either kind. */
    private static SseClient.Event await(SseClient sse, int from, int seconds, String kind, String orKind)
            throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            List<SseClient.Event> events = sse.events();
            for (int i = from; i < events.size(); i++) {
                if (events.get(i).id() != null
                        && (kind(events.get(i)).equals(kind)
                                || kind(events.get(i)).equals(orKind))) {
                    return events.get(i);
                }
            }
            Thread.sleep(1);
        }
        throw new IllegalStateException("no " + kind + " on the stream within " + seconds + " s: "
                + sse.events().stream()
                        .skip(from)
                        .map(e -> e.data().length() > 200 ? e.data().substring(0, 200) : e.data())
                        .toList());
    }

    private static String kind(SseClient.Event event) {
        try {
            return JSON.readTree(event.data()).path("kind").asText();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static String version(Path codex) throws Exception {
        Process p = new ProcessBuilder(codex.toString(), "--version")
                .redirectErrorStream(true)
                .start();
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    }

    private static double median(List<Long> samples) {
        List<Long> sorted = new ArrayList<>(samples);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }

    private static String figures(List<Long> samples) {
        List<Long> sorted = new ArrayList<>(samples);
        Collections.sort(sorted);
        return String.format(
                "median %.1f ms, p90 %.1f ms, min %.1f ms, max %.1f ms",
                sorted.get(sorted.size() / 2) / 1e6,
                sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(0.9 * sorted.size()) - 1)) / 1e6,
                sorted.get(0) / 1e6,
                sorted.get(sorted.size() - 1) / 1e6);
    }
}
