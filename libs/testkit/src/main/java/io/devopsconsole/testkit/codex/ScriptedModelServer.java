package io.devopsconsole.testkit.codex;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A scripted stand-in for the OpenAI Responses API ({@code POST /v1/responses}, streamed as SSE),
 * enough to drive the real {@code codex app-server} through whole turns offline. Stateless: the
 * request body decides the answer, so a turn of several requests (tool call, tool output, final
 * answer) works. Keywords in the last user text, as in the reference mock the protocol notes were
 * captured with: {@code RUN_ESCALATED: <cmd>} (an {@code exec_command} that asks to leave the
 * sandbox, so codex asks for approval), {@code RUN_EXEC: <cmd>}, {@code APPLY_PATCH}, {@code STALL}
 * (two deltas, then silence), {@code FAIL500}, {@code FAILSTREAM}, {@code COUNT: <n>} (the numbers 1..n,
 * one delta each, n at most 500, so a reader can tell a gap or a duplicate), {@code STAMPED: <n>} (n deltas, at
 * most 5000, each {@code @@T<System.nanoTime() when written> }: the relay benches time them); anything else
 * streams a greeting.
 * After a tool ran, the answer quotes its output. Listens on 127.0.0.1 only.
 */
public final class ScriptedModelServer implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final AtomicInteger ids = new AtomicInteger();
    private volatile long deltaDelayMillis;

    private ScriptedModelServer(String host, long deltaDelayMillis) throws IOException {
        this.deltaDelayMillis = deltaDelayMillis;
        server = HttpServer.create(new InetSocketAddress(host, 0), 64);
        server.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "scripted-model");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/", this::handle);
        server.start();
    }

    /** Starts on 127.0.0.1 with 50 ms between deltas (as the captured transcripts were made). */
    public static ScriptedModelServer start() throws IOException {
        return new ScriptedModelServer("127.0.0.1", 50);
    }

    public static ScriptedModelServer start(String host, long deltaDelayMillis) throws IOException {
        return new ScriptedModelServer(host, deltaDelayMillis);
    }

    public void deltaDelay(long millis) {
        this.deltaDelayMillis = millis;
    }

    /** The base URL codex is pointed at ({@code model_providers.<p>.base_url}). */
    public String baseUrl() {
        return "http://" + server.getAddress().getHostString() + ":"
                + server.getAddress().getPort() + "/v1";
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            if (exchange.getRequestMethod().equals("GET") && path.endsWith("/models")) {
                json(exchange, 200, "{\"models\":[]}");
                return;
            }
            if (!exchange.getRequestMethod().equals("POST") || !path.endsWith("/responses")) {
                json(exchange, 404, "{\"error\":{\"message\":\"not found\"}}");
                return;
            }
            JsonNode body = JSON.readTree(exchange.getRequestBody());
            respond(exchange, body);
        } catch (IOException e) {
            // the client went away (an interrupted turn): nothing to answer
        }
    }

    private void respond(HttpExchange exchange, JsonNode body) throws IOException {
        String text = lastUserText(body);
        JsonNode last = lastItem(body);
        String rid = "resp_" + ids.incrementAndGet();
        boolean fresh = last.path("type").asText().equals("message");
        if (text.contains("FAIL500") && fresh) {
            json(exchange, 500, "{\"error\":{\"message\":\"scripted upstream failure\",\"type\":\"server_error\"}}");
            return;
        }
        exchange.getResponseHeaders().add("content-type", "text/event-stream");
        exchange.getResponseHeaders().add("cache-control", "no-cache");
        exchange.sendResponseHeaders(200, 0);
        OutputStream out = exchange.getResponseBody();
        event(
                out,
                JSON.createObjectNode()
                        .put("type", "response.created")
                        .set("response", JSON.createObjectNode().put("id", rid)));
        String lastType = last.path("type").asText();
        if ((lastType.equals("function_call_output") || lastType.equals("custom_tool_call_output"))
                && text.contains(OPERATOR_SAYS)
                && chainedCall(out, body, last, text)) {
            // the coordinator chains: the operator's words asked for a second tool after the first one
        } else if (lastType.equals("function_call_output") || lastType.equals("custom_tool_call_output")) {
            JsonNode o = last.path("output");
            String output = o.isTextual() ? o.asText() : o.toString();
            message(
                    out,
                    List.of("The command ran. ", "Output was:\n", output.substring(0, Math.min(400, output.length()))));
        } else if (text.contains("FAILSTREAM")) {
            partial(out, List.of("Starting... "));
            ObjectNode failed = JSON.createObjectNode().put("type", "response.failed");
            failed.putObject("response")
                    .put("id", rid)
                    .putObject("error")
                    .put("code", "server_error")
                    .put("message", "scripted stream failure");
            event(out, failed);
            return;
        } else if (text.contains("STALL")) {
            partial(out, List.of("Thinking ", "very slowly..."));
            sleep(60_000);
            return;
        } else if (text.contains(OPERATOR_SAYS)
                && fresh
                && text.substring(text.lastIndexOf(OPERATOR_SAYS)).contains("REPEAT_CONTEXT")) {
            // the coordinator's input as the model got it (what precedes the operator's words), for tests
            String context = text.substring(0, text.lastIndexOf(OPERATOR_SAYS));
            message(out, List.of(context.substring(0, Math.min(8000, context.length()))));
        } else if (words(text).contains("CALL_TOOL:") && fresh) {
            // a client-side (dynamic) tool: CALL_TOOL:<name> <JSON arguments on the same line>
            String call = words(text)
                    .split("CALL_TOOL:", 2)[1]
                    .strip()
                    .lines()
                    .findFirst()
                    .orElse("");
            String[] parts = call.split("\\s+", 2);
            functionCall(out, parts[0], parts.length > 1 ? parts[1] : "{}");
        } else if (text.contains(OPERATOR_SAYS) && fresh && coordinatorCall(out, text)) {
            // the console's coordinator: the operator's words picked a console tool (see coordinatorCall)
        } else if (text.contains("RUN_ESCALATED:")) {
            String cmd = text.split("RUN_ESCALATED:", 2)[1]
                    .strip()
                    .lines()
                    .findFirst()
                    .orElse("true");
            functionCall(
                    out,
                    JSON.createObjectNode()
                            .put("cmd", cmd)
                            .put("yield_time_ms", 2000)
                            .put("sandbox_permissions", "require_escalated")
                            .put("justification", "Probe wants to run this command outside the sandbox"));
        } else if (text.contains("RUN_EXEC:")) {
            String cmd =
                    text.split("RUN_EXEC:", 2)[1].strip().lines().findFirst().orElse("true");
            functionCall(out, JSON.createObjectNode().put("cmd", cmd).put("yield_time_ms", 2000));
        } else if (text.contains("COUNT:") && fresh) {
            String n = text.split("COUNT:", 2)[1].strip().split("\\s+")[0];
            int count = n.matches("\\d{1,3}") ? Math.min(500, Integer.parseInt(n)) : 10;
            List<String> chunks = new ArrayList<>();
            for (int i = 1; i <= count; i++) {
                chunks.add(i == 1 ? "1" : " " + i);
            }
            message(out, chunks);
        } else if (text.contains("STAMPED:") && fresh) {
            // the relay benches: n deltas, each carrying the time it was written (System.nanoTime of this JVM)
            String n = text.split("STAMPED:", 2)[1].strip().split("\\s+")[0];
            int count = n.matches("\\d{1,4}") ? Math.min(5000, Integer.parseInt(n)) : 10;
            message(out, count, i -> "@@T" + System.nanoTime() + " ");
        } else if (text.contains("APPLY_PATCH")) {
            String patch = "*** Begin Patch\n*** Add File: hello.txt\n+hello from apply_patch\n*** End Patch";
            functionCall(out, JSON.createObjectNode().put("cmd", "apply_patch <<'EOF'\n" + patch + "\nEOF\n"));
        } else {
            message(out, List.of("Hello", " from the", " scripted", " model!", " 2+2=4."));
        }
        ObjectNode completed = JSON.createObjectNode().put("type", "response.completed");
        ObjectNode usage = completed.putObject("response").put("id", rid).putObject("usage");
        usage.put("input_tokens", 120).putObject("input_tokens_details").put("cached_tokens", 0);
        usage.put("output_tokens", 30).putObject("output_tokens_details").put("reasoning_tokens", 0);
        usage.put("total_tokens", 150);
        event(out, completed);
    }

    private String partial(OutputStream out, List<String> chunks) throws IOException {
        return partial(out, chunks.size(), chunks::get, new StringBuilder());
    }

    /** Streams {@code count} deltas, each made when it is due; what was streamed is appended to {@code sent}. */
    private String partial(
            OutputStream out, int count, java.util.function.IntFunction<String> chunk, StringBuilder sent)
            throws IOException {
        String mid = "msg_" + ids.incrementAndGet();
        ObjectNode added = JSON.createObjectNode()
                .put("type", "response.output_item.added")
                .put("output_index", 0);
        added.putObject("item")
                .put("type", "message")
                .put("role", "assistant")
                .put("id", mid)
                .putArray("content");
        event(out, added);
        for (int i = 0; i < count; i++) {
            sleep(deltaDelayMillis);
            String c = chunk.apply(i);
            sent.append(c);
            event(
                    out,
                    JSON.createObjectNode()
                            .put("type", "response.output_text.delta")
                            .put("item_id", mid)
                            .put("output_index", 0)
                            .put("content_index", 0)
                            .put("delta", c));
        }
        return mid;
    }

    private void message(OutputStream out, List<String> chunks) throws IOException {
        message(out, chunks.size(), chunks::get);
    }

    private void message(OutputStream out, int count, java.util.function.IntFunction<String> chunk) throws IOException {
        StringBuilder sent = new StringBuilder();
        String mid = partial(out, count, chunk, sent);
        ObjectNode done =
                JSON.createObjectNode().put("type", "response.output_item.done").put("output_index", 0);
        ObjectNode item = done.putObject("item")
                .put("type", "message")
                .put("role", "assistant")
                .put("id", mid)
                .put("status", "completed");
        item.putArray("content")
                .addObject()
                .put("type", "output_text")
                .put("text", sent.toString())
                .putArray("annotations");
        event(out, done);
    }

    /** Where the console's coordinator puts the operator's words in a turn's input (after its generated context). */
    static final String OPERATOR_SAYS = "The operator says:";

    /** The operator's own words when the input is the coordinator's (context and history before them), else all of it. */
    private static String words(String text) {
        int at = text.lastIndexOf(OPERATOR_SAYS);
        return at < 0 ? text : text.substring(at);
    }

    /**
     * The coordinator's model, scripted: the operator's words (the part after {@link #OPERATOR_SAYS}) pick
     * one of the console's dynamic tools the way a model would — a sentence about onboarding a server starts
     * onboarding (host, name, port and user taken from it), "trust it" trusts the presented host key,
     * "go on" / "continue" advances the run, "ask PROJECT to ..." sends the project's worker a request,
     * "rename A to B" renames a target, "create /PATH on TARGET [and REQUEST]" opens a project session
     * there (and, chained after it, sends REQUEST to its worker).
     * False when the words pick no tool (the model then just answers).
     */
    private boolean coordinatorCall(OutputStream out, String text) throws IOException {
        String said = text.substring(text.lastIndexOf(OPERATOR_SAYS) + OPERATOR_SAYS.length())
                .strip();
        String lower = said.toLowerCase(java.util.Locale.ROOT);
        ObjectNode args = JSON.createObjectNode();
        if (lower.contains("onboard")) {
            args.put("request", said);
            java.util.regex.Matcher port =
                    java.util.regex.Pattern.compile("port (\\d{1,5})").matcher(lower);
            if (port.find()) {
                args.put("port", Integer.parseInt(port.group(1)));
            }
            java.util.regex.Matcher user =
                    java.util.regex.Pattern.compile("user ([a-z_][a-z0-9_-]*)").matcher(lower);
            if (user.find()) {
                args.put("user", user.group(1));
            }
            functionCall(out, "start_onboarding", args.toString());
        } else if (CREATE.matcher(said).matches()) {
            java.util.regex.Matcher m = CREATE.matcher(said);
            m.matches();
            String path = m.group(1);
            args.put("project", path.substring(path.lastIndexOf('/') + 1))
                    .put("target", m.group(2))
                    .put("working_directory", path);
            functionCall(out, "start_session", args.toString());
        } else if (lower.matches("rename [a-z0-9][a-z0-9._-]* to [a-z0-9][a-z0-9._-]*")) {
            String[] w = said.split("\\s+");
            functionCall(
                    out,
                    "rename_target",
                    args.put("name", w[1]).put("new_name", w[3]).toString());
        } else if (lower.startsWith("trust it")) {
            functionCall(out, "trust_host_key", "{}");
        } else if (lower.startsWith("go on") || lower.startsWith("continue")) {
            functionCall(out, "advance_onboarding", "{}");
        } else if (lower.startsWith("ask ") && lower.contains(" to ")) {
            String project = said.substring(4, lower.indexOf(" to ")).strip();
            args.put("project", project)
                    .put("text", said.substring(lower.indexOf(" to ") + 4).strip());
            functionCall(out, "send_to_worker", args.toString());
        } else {
            return false;
        }
        return true;
    }

    /** "create /PATH on TARGET [and REQUEST]": a project session there, then (chained) the request to its worker. */
    private static final java.util.regex.Pattern CREATE = java.util.regex.Pattern.compile(
            "(?i)create (/[A-Za-z0-9._/+@-]+) on ([A-Za-z0-9][A-Za-z0-9._-]*)(?: and (.+))?");

    /**
     * After a tool's output: when the operator's words asked for a chain ("create PATH on TARGET and
     * REQUEST") and the tool that just answered was {@code start_session} (and opened the session), the
     * next call sends REQUEST to the new project's worker. False otherwise (the model then summarises).
     */
    private boolean chainedCall(OutputStream out, JsonNode body, JsonNode last, String text) throws IOException {
        String said = text.substring(text.lastIndexOf(OPERATOR_SAYS) + OPERATOR_SAYS.length())
                .strip();
        java.util.regex.Matcher m = CREATE.matcher(said);
        if (!m.matches() || m.group(3) == null) {
            return false;
        }
        String previous = null;
        for (JsonNode item : body.path("input")) {
            if (item.path("type").asText().equals("function_call")) {
                previous = item.path("name").asText();
            }
        }
        JsonNode o = last.path("output");
        String output = o.isTextual() ? o.asText() : o.toString();
        if (!"start_session".equals(previous) || !output.contains("the worker starts with the first message")) {
            return false;
        }
        String path = m.group(1);
        functionCall(
                out,
                "send_to_worker",
                JSON.createObjectNode()
                        .put("project", path.substring(path.lastIndexOf('/') + 1))
                        .put("text", m.group(3))
                        .toString());
        return true;
    }

    private void functionCall(OutputStream out, ObjectNode args) throws IOException {
        functionCall(out, "exec_command", args.toString());
    }

    private void functionCall(OutputStream out, String name, String arguments) throws IOException {
        String cid = "call_" + ids.incrementAndGet();
        ObjectNode item = JSON.createObjectNode()
                .put("type", "function_call")
                .put("id", "fc_" + cid)
                .put("call_id", cid)
                .put("name", name)
                .put("arguments", arguments)
                .put("status", "completed");
        ObjectNode added = JSON.createObjectNode()
                .put("type", "response.output_item.added")
                .put("output_index", 0);
        added.set("item", item.deepCopy().put("arguments", "").put("status", "in_progress"));
        event(out, added);
        ObjectNode done =
                JSON.createObjectNode().put("type", "response.output_item.done").put("output_index", 0);
        done.set("item", item);
        event(out, done);
    }

    private static void event(OutputStream out, ObjectNode ev) throws IOException {
        out.write(("event: " + ev.path("type").asText() + "\ndata: " + ev + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static void json(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("content-type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    private static String lastUserText(JsonNode body) {
        JsonNode items = body.path("input");
        for (int i = items.size() - 1; i >= 0; i--) {
            JsonNode item = items.get(i);
            if (item.path("type").asText().equals("message")
                    && item.path("role").asText().equals("user")) {
                StringBuilder b = new StringBuilder();
                for (JsonNode part : item.path("content")) {
                    if (b.length() > 0) {
                        b.append('\n');
                    }
                    b.append(part.path("text").asText(""));
                }
                return b.toString();
            }
        }
        return "";
    }

    private static JsonNode lastItem(JsonNode body) {
        JsonNode items = body.path("input");
        return items.size() == 0 ? JSON.createObjectNode() : items.get(items.size() - 1);
    }

    private static void sleep(long millis) {
        if (millis <= 0) {
            return;
        }
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
