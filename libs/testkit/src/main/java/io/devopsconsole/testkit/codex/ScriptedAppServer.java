package io.devopsconsole.testkit.codex;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@code codex app-server} (stdio transport) that follows the protocol as the real 0.169.0
 * binary speaks it and plays turns from the transcripts captured from that binary: JSONL in both
 * directions, no {@code jsonrpc} member, {@code initialize} first (else {@code -32600 "Not
 * initialized"}), client and server id spaces apart (server requests count from 0 per
 * connection), every request error {@code -32600}.
 * <p>
 * The operator's text picks the turn, with the keywords of the scripted model server:
 * {@code RUN_ESCALATED} (command approval; a decline plays the captured decline),
 * {@code APPLY_PATCH} (file-change approval), {@code STALL} (starts a message and then waits for
 * {@code turn/interrupt}), {@code FAIL500}, {@code FAILSTREAM}; anything else is a text turn.
 * Thread and turn ids are fresh per thread and turn; threads are remembered in {@code threads}
 * (shared between connections, so {@code thread/resume} works on a new channel).
 */
public final class ScriptedAppServer {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, List<Line>> TRANSCRIPTS = new ConcurrentHashMap<>();

    private final BufferedReader in;
    private final OutputStream out;
    private final Set<String> threads;
    private final long paceMillis;
    private final AtomicInteger serverIds = new AtomicInteger();
    private final Map<Integer, CompletableFuture<JsonNode>> pendingServer = new ConcurrentHashMap<>();
    private volatile boolean initialized;
    private volatile Player player;

    /** One transcript line: direction and message. */
    public record Line(boolean fromServer, JsonNode msg) {}

    public ScriptedAppServer(InputStream in, OutputStream out, Set<String> threads, long paceMillis) {
        this.in = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        this.out = out;
        this.threads = threads;
        this.paceMillis = paceMillis;
    }

    /** Serves until stdin ends (as the real binary, which exits on EOF). */
    public void serve() throws IOException {
        try {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                handle(JSON.readTree(line));
            }
        } finally {
            Player p = player;
            if (p != null) {
                p.abort(null);
            }
        }
    }

    private void handle(JsonNode msg) throws IOException {
        if (!msg.has("method")) {
            // a response to one of our requests
            CompletableFuture<JsonNode> waiting =
                    pendingServer.remove(msg.path("id").asInt(-1));
            if (waiting != null) {
                waiting.complete(msg);
            }
            return;
        }
        String method = msg.get("method").asText();
        JsonNode id = msg.get("id");
        if (id == null) {
            return; // notifications ("initialized")
        }
        JsonNode params = msg.path("params");
        if (!initialized && !method.equals("initialize")) {
            error(id, "Not initialized");
            return;
        }
        switch (method) {
            case "initialize" -> {
                if (initialized) {
                    error(id, "Already initialized");
                    return;
                }
                initialized = true;
                JsonNode result = first(
                                "text",
                                l -> l.fromServer()
                                        && l.msg().path("id").asInt(-1) == 0
                                        && l.msg().has("result"))
                        .path("result");
                respond(id, result);
            }
            case "thread/start" -> {
                String threadId = uuid7ish();
                threads.add(threadId);
                respond(id, threadResult(threadId, params.path("cwd").asText("/")));
                notifyClient(
                        "thread/started",
                        JSON.createObjectNode()
                                .set(
                                        "thread",
                                        threadResult(
                                                        threadId,
                                                        params.path("cwd").asText("/"))
                                                .get("thread")));
            }
            case "thread/resume" -> {
                String threadId = params.path("threadId").asText();
                if (!threads.contains(threadId)) {
                    error(id, "thread not found: " + threadId);
                    return;
                }
                respond(id, threadResult(threadId, "/"));
            }
            case "turn/start" -> {
                String threadId = params.path("threadId").asText();
                if (!threads.contains(threadId)) {
                    error(id, "thread not found: " + threadId);
                    return;
                }
                if (!params.has("input")) {
                    error(id, "Invalid request: missing field `input`");
                    return;
                }
                String text = params.path("input").path(0).path("text").asText("");
                String turnId = uuid7ish();
                ObjectNode turn = JSON.createObjectNode().put("id", turnId).put("rootTurnId", turnId);
                turn.putArray("items");
                turn.put("itemsView", "notLoaded").put("status", "inProgress").putNull("error");
                respond(id, JSON.createObjectNode().set("turn", turn));
                Runnable p;
                java.util.regex.Matcher bench = BENCH.matcher(text);
                if (bench.find()) {
                    p = () -> benchTurn(
                            threadId, turnId, Integer.parseInt(bench.group(1)), Long.parseLong(bench.group(2)));
                } else {
                    Player played = new Player(scenario(text), threadId, turnId);
                    player = played;
                    p = played;
                }
                Thread t = new Thread(p, "scripted-turn-" + turnId);
                t.setDaemon(true);
                t.start();
            }
            case "turn/interrupt" -> {
                Player p = player;
                if (p == null || !p.turnId.equals(params.path("turnId").asText())) {
                    error(id, "no active turn to interrupt");
                    return;
                }
                p.interrupt(id);
            }
            default -> error(id, "Invalid request: unknown variant `" + method + "`");
        }
    }

    /** {@code BENCH_DELTAS <count> <everyMillis>}: a message of that many deltas, each stamped when written. */
    private static final java.util.regex.Pattern BENCH = java.util.regex.Pattern.compile("BENCH_DELTAS (\\d+) (\\d+)");

    /**
     * A measured turn: {@code count} agent-message deltas, one every {@code everyMillis}, each
     * carrying {@code @@T<System.nanoTime()>@@} taken just before its line is written, so a reader
     * in the same JVM can time line written → record received.
     */
    private void benchTurn(String threadId, String turnId, int count, long everyMillis) {
        try {
            ObjectNode turn = JSON.createObjectNode().put("id", turnId).put("status", "inProgress");
            notifyClient(
                    "turn/started",
                    JSON.createObjectNode().put("threadId", threadId).set("turn", turn));
            String itemId = "msg_bench_" + turnId.substring(turnId.length() - 6);
            ObjectNode item = JSON.createObjectNode()
                    .put("type", "agentMessage")
                    .put("id", itemId)
                    .put("text", "");
            notifyClient(
                    "item/started",
                    JSON.createObjectNode()
                            .put("threadId", threadId)
                            .put("turnId", turnId)
                            .set("item", item));
            long next = System.nanoTime();
            for (int i = 0; i < count; i++) {
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
                next += everyMillis * 1_000_000;
                notifyClient(
                        "item/agentMessage/delta",
                        JSON.createObjectNode()
                                .put("threadId", threadId)
                                .put("turnId", turnId)
                                .put("itemId", itemId)
                                .put("delta", "@@T" + System.nanoTime() + "@@ "));
            }
            notifyClient(
                    "item/completed",
                    JSON.createObjectNode()
                            .put("threadId", threadId)
                            .put("turnId", turnId)
                            .set("item", item.deepCopy().put("text", "bench")));
            ObjectNode done = JSON.createObjectNode().put("id", turnId).put("status", "completed");
            done.putArray("items");
            notifyClient(
                    "turn/completed",
                    JSON.createObjectNode().put("threadId", threadId).set("turn", done));
        } catch (IOException | InterruptedException e) {
            // connection gone
        }
    }

    private static String scenario(String text) {
        if (text.contains("RUN_ESCALATED")) {
            return "shell_accept";
        }
        if (text.contains("APPLY_PATCH")) {
            return "patch_accept";
        }
        if (text.contains("STALL")) {
            return "interrupt";
        }
        if (text.contains("FAIL500")) {
            return "fail500";
        }
        if (text.contains("FAILSTREAM")) {
            return "failstream";
        }
        return "text";
    }

    /** Plays one turn: the server's lines after the turn/start response, with this thread's and turn's ids. */
    private final class Player implements Runnable {
        private final String scenario;
        private final String threadId;
        private final String turnId;
        private final CompletableFuture<JsonNode> interrupt = new CompletableFuture<>();
        private volatile boolean aborted;
        private boolean interruptAnswered;

        Player(String scenario, String threadId, String turnId) {
            this.scenario = scenario;
            this.threadId = threadId;
            this.turnId = turnId;
        }

        void interrupt(JsonNode clientId) {
            interrupt.complete(clientId);
        }

        void abort(JsonNode ignored) {
            aborted = true;
            interrupt.complete(null);
            pendingServer.values().forEach(f -> f.complete(null));
        }

        @Override
        public void run() {
            try {
                play(scenario, 0);
            } catch (IOException | RuntimeException e) {
                // connection gone: like the real binary, the turn dies with it
            } finally {
                if (player == this) {
                    player = null;
                }
            }
        }

        private void play(String name, int skipToAfterClientResponse) throws IOException {
            List<Line> lines = transcript(name);
            String oldThread = null;
            String oldTurn = null;
            int start = 0;
            for (int i = 0; i < lines.size(); i++) {
                JsonNode m = lines.get(i).msg();
                if (!lines.get(i).fromServer()
                        && "turn/start".equals(m.path("method").asText())) {
                    oldThread = m.path("params").path("threadId").asText();
                }
                if (lines.get(i).fromServer() && m.path("result").has("turn")) {
                    oldTurn = m.path("result").path("turn").path("id").asText();
                    start = i + 1;
                    break;
                }
            }
            if (skipToAfterClientResponse > 0) {
                int seen = 0;
                for (int i = start; i < lines.size(); i++) {
                    if (!lines.get(i).fromServer()
                            && !lines.get(i).msg().has("method")
                            && ++seen == skipToAfterClientResponse) {
                        start = i + 1;
                        break;
                    }
                }
            }
            for (int i = start; i < lines.size(); i++) {
                if (aborted) {
                    return;
                }
                Line line = lines.get(i);
                String raw = line.msg().toString().replace(oldThread, threadId).replace(oldTurn, turnId);
                JsonNode m = JSON.readTree(raw);
                String method = m.path("method").asText(null);
                if (!line.fromServer()) {
                    if ("turn/interrupt".equals(method)) {
                        // the captured client interrupted here: wait for ours (the STALL turn)
                        JsonNode clientId = await(interrupt, Long.MAX_VALUE);
                        if (clientId == null) {
                            return;
                        }
                        interruptAnswered = true;
                        // the captured response to that interrupt is the next server line with an id
                        for (int j = i + 1; j < lines.size(); j++) {
                            if (lines.get(j).fromServer() && !lines.get(j).msg().has("method")) {
                                respond(clientId, lines.get(j).msg().path("result"));
                                break;
                            }
                        }
                    }
                    continue;
                }
                if (method == null) {
                    continue; // responses to the captured client's requests: answered above
                }
                if (m.has("id")) {
                    // a server request (approval): ours gets a fresh id; wait for the client's answer
                    int sid = serverIds.getAndIncrement();
                    ((ObjectNode) m).put("id", sid);
                    CompletableFuture<JsonNode> answer = new CompletableFuture<>();
                    pendingServer.put(sid, answer);
                    write(m);
                    JsonNode response = awaitAnswerOrInterrupt(answer);
                    if (response == null) {
                        return;
                    }
                    String decision = response.path("result").path("decision").asText("");
                    if ((decision.equals("decline") || decision.equals("cancel")) && name.equals("shell_accept")) {
                        play("shell_decline", 1);
                        return;
                    }
                    if (decision.equals("decline") || decision.equals("cancel")) {
                        declined(m, sid);
                        return;
                    }
                    // the captured resolution names the captured id: ours instead
                    continue;
                }
                if ("serverRequest/resolved".equals(method)) {
                    ((ObjectNode) m.path("params")).put("requestId", serverIds.get() - 1);
                }
                if (interrupt.isDone() && !interruptAnswered) {
                    // interrupted where the capture was not: answer it and end the turn as the binary does
                    JsonNode clientId = interrupt.getNow(null);
                    if (clientId != null) {
                        respond(clientId, JSON.createObjectNode());
                        interrupted();
                    }
                    return;
                }
                pace();
                write(m);
            }
        }

        private JsonNode awaitAnswerOrInterrupt(CompletableFuture<JsonNode> answer) {
            CompletableFuture<Object> either = CompletableFuture.anyOf(answer, interrupt);
            Object first = await(either, Long.MAX_VALUE);
            if (answer.isDone()) {
                return answer.getNow(null);
            }
            if (first != null || interrupt.isDone()) {
                JsonNode clientId = interrupt.getNow(null);
                if (clientId != null) {
                    try {
                        respond(clientId, JSON.createObjectNode());
                        interrupted();
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
            }
            return null;
        }

        /** A declined request without a captured decline: resolve it, decline the item, complete the turn. */
        private void declined(JsonNode request, int sid) throws IOException {
            ObjectNode resolved =
                    JSON.createObjectNode().put("threadId", threadId).put("requestId", sid);
            notifyClient("serverRequest/resolved", resolved);
            ObjectNode item = JSON.createObjectNode()
                    .put("type", "fileChange")
                    .put("id", request.path("params").path("itemId").asText())
                    .put("status", "declined");
            item.putArray("changes");
            notifyClient(
                    "item/completed",
                    JSON.createObjectNode()
                            .put("threadId", threadId)
                            .put("turnId", turnId)
                            .set("item", item));
            completed("completed");
        }

        private void interrupted() throws IOException {
            completed("interrupted");
        }

        private void completed(String status) throws IOException {
            ObjectNode turn = JSON.createObjectNode().put("id", turnId);
            turn.putArray("items");
            turn.put("itemsView", "notLoaded").put("status", status).putNull("error");
            notifyClient(
                    "turn/completed",
                    JSON.createObjectNode().put("threadId", threadId).set("turn", turn));
        }

        private void pace() {
            if (paceMillis > 0) {
                try {
                    Thread.sleep(paceMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    private static <T> T await(CompletableFuture<T> f, long millis) {
        try {
            return millis == Long.MAX_VALUE ? f.get() : f.get(millis, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            return null;
        }
    }

    private ObjectNode threadResult(String threadId, String cwd) {
        ObjectNode thread = JSON.createObjectNode()
                .put("id", threadId)
                .put("modelProvider", "mock")
                .put("model", "mock-model")
                .put("cwd", cwd);
        thread.putObject("status").put("type", "idle");
        thread.putArray("turns");
        ObjectNode result = JSON.createObjectNode();
        result.set("thread", thread);
        result.put("model", "mock-model")
                .put("modelProvider", "mock")
                .put("cwd", cwd)
                .put("approvalPolicy", "on-request");
        result.putObject("sandbox").put("type", "workspaceWrite");
        return result;
    }

    private void respond(JsonNode id, JsonNode result) throws IOException {
        ObjectNode m = JSON.createObjectNode();
        m.set("id", id);
        m.set("result", result);
        write(m);
    }

    private void error(JsonNode id, String message) throws IOException {
        ObjectNode m = JSON.createObjectNode();
        m.set("id", id);
        m.putObject("error").put("code", -32600).put("message", message);
        write(m);
    }

    private void notifyClient(String method, JsonNode params) throws IOException {
        ObjectNode m = JSON.createObjectNode().put("method", method);
        m.set("params", params);
        m.put("emittedAtMs", System.currentTimeMillis());
        write(m);
    }

    private synchronized void write(JsonNode m) throws IOException {
        out.write((m.toString() + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static String uuid7ish() {
        // time-ordered like codex's UUIDv7 ids: 48-bit milliseconds, then random bits
        UUID r = UUID.randomUUID();
        long msb = (System.currentTimeMillis() << 16) | 0x7000L | (r.getMostSignificantBits() & 0x0FFFL);
        return new UUID(msb, r.getLeastSignificantBits()).toString();
    }

    private static JsonNode first(String name, java.util.function.Predicate<Line> which) {
        return transcript(name).stream()
                .filter(which)
                .findFirst()
                .map(Line::msg)
                .orElseThrow(() -> new IllegalStateException("transcript " + name + " lacks the line"));
    }

    /** The captured lines of one transcript (classpath {@code codex-transcripts/<name>.jsonl}). */
    public static List<Line> transcript(String name) {
        return TRANSCRIPTS.computeIfAbsent(name, n -> {
            try (InputStream s = ScriptedAppServer.class.getResourceAsStream("/codex-transcripts/" + n + ".jsonl")) {
                if (s == null) {
                    throw new IllegalArgumentException("no transcript " + n);
                }
                List<Line> lines = new ArrayList<>();
                for (String l : new String(s.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                    if (!l.isBlank()) {
                        JsonNode node = JSON.readTree(l);
                        lines.add(new Line(node.path("dir").asText().equals("S->C"), node.get("msg")));
                    }
                }
                return List.copyOf(lines);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }
}
