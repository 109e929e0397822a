package io.devopsconsole.testkit.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * One {@code codex app-server} driven directly over its stdio, as the console's runner drives it over
 * SSH but with nothing in between: the benches' floor. Initialised and with a thread started on
 * {@link #start}; {@link #turn} starts a turn with the given text.
 */
final class CodexStdio implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final OutputStream in;
    private final BufferedReader out;
    private final String thread;
    private int nextId = 10;

    private CodexStdio(Process process, String cwd) throws IOException {
        this.process = process;
        this.in = process.getOutputStream();
        this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        request(
                0,
                "initialize",
                JSON.createObjectNode()
                        .set(
                                "clientInfo",
                                JSON.createObjectNode().put("name", "bench").put("version", "1")));
        until(m -> m.path("id").asInt(-1) == 0 && m.has("result"));
        in.write("{\"method\":\"initialized\"}\n".getBytes(StandardCharsets.UTF_8));
        request(1, "thread/start", JSON.createObjectNode().put("cwd", cwd));
        this.thread = until(m -> m.path("id").asInt(-1) == 1 && m.has("result"))
                .path("result")
                .path("thread")
                .path("id")
                .asText();
    }

    /** Starts {@code codex app-server} in {@code work} with {@code CODEX_HOME=home} and {@code PATH=path}. */
    static CodexStdio start(Path codex, Path home, String path, Path work) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(codex.toString(), "app-server")
                .directory(work.toFile())
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("CODEX_HOME", home.toString());
        pb.environment().put("PATH", path);
        return new CodexStdio(pb.start(), work.toString());
    }

    /** The PATH codex runs with: the helpers its npm package ships beside the binary, then the system's. */
    static String searchPath(Path codex) {
        return codex.getParent().getParent().resolve("codex-path") + ":/usr/local/bin:/usr/bin:/bin";
    }

    /** Starts a turn on the thread with {@code text} as the user's input. */
    void turn(String text) throws IOException {
        ObjectNode params = JSON.createObjectNode().put("threadId", thread);
        params.putArray("input")
                .addObject()
                .put("type", "text")
                .put("text", text)
                .putArray("text_elements");
        request(nextId++, "turn/start", params);
    }

    /** Reads messages until one matches (returned; the predicate sees every message read on the way). */
    JsonNode until(Predicate<JsonNode> match) throws IOException {
        String line;
        while ((line = out.readLine()) != null) {
            JsonNode m = JSON.readTree(line);
            if (match.test(m)) {
                return m;
            }
        }
        throw new IOException("codex ended its output");
    }

    static boolean is(JsonNode message, String method) {
        return message.path("method").asText().equals(method);
    }

    private void request(int id, String method, JsonNode params) throws IOException {
        ObjectNode m = JSON.createObjectNode().put("id", id).put("method", method);
        m.set("params", params);
        in.write((m + "\n").getBytes(StandardCharsets.UTF_8));
        in.flush();
    }

    @Override
    public void close() {
        try {
            in.close();
            process.waitFor(5, TimeUnit.SECONDS);
        } catch (IOException e) {
            // gone already
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            process.destroyForcibly();
        }
    }
}
