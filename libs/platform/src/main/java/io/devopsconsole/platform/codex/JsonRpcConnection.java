package io.devopsconsole.platform.codex;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * The client side of {@code codex app-server}: JSON-RPC without the {@code jsonrpc} member, one
 * message per line on the stdio transport or one per WebSocket text frame through
 * {@code app-server proxy} (see {@link #overWebSocket}). Our requests and the server's requests have
 * separate id spaces: responses are matched only against our pending requests, and server
 * requests are handed to the listener with their own id, to be answered with {@link #respond}.
 * Parsing is tolerant: a line that is not JSON, or a message of an unknown shape, is logged at
 * debug and skipped. Reading happens on one dedicated thread per connection (blocking I/O, never
 * an event loop); writes are serialized.
 */
public final class JsonRpcConnection implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(JsonRpcConnection.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What the server sends besides responses. Called on the reader thread. */
    public interface Listener {
        void onNotification(String method, JsonNode params);

        void onServerRequest(JsonNode id, String method, JsonNode params);

        /** The pipe ended (EOF or error); {@code reason} says which. Called once. */
        void onClosed(String reason);
    }

    /** A JSON-RPC error answer (codex uses -32600 for every request error; the message tells them apart). */
    public static final class RpcError extends RuntimeException {
        private final int code;

        RpcError(int code, String message) {
            super(message);
            this.code = code;
        }

        public int code() {
            return code;
        }
    }

    /** How messages are delimited on the pipe. */
    private interface Framing {
        /** The next message, or null at the end. */
        String read() throws IOException;

        void write(String message) throws IOException;

        void close();

        /** Asks the peer for a sign of life below JSON-RPC; false when the transport has no way to. */
        default boolean ping() throws IOException {
            return false;
        }

        /** When the transport last heard anything from the peer (0: it does not know below JSON-RPC). */
        default long lastHeardNanos() {
            return 0;
        }
    }

    private final Framing framing;
    private final Listener listener;
    private final String name;
    private final AtomicLong nextId = new AtomicLong();
    private final Map<Long, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile long lastReceivedNanos = System.nanoTime();

    /** Over stdio: one JSON object per line each way. */
    public JsonRpcConnection(InputStream in, OutputStream out, Listener listener, String name) {
        this(lines(in, out), listener, name);
    }

    private JsonRpcConnection(Framing framing, Listener listener, String name) {
        this.framing = framing;
        this.listener = listener;
        this.name = name;
    }

    /** Over a WebSocket (the durable app-server behind {@code app-server proxy}): one message per text frame. */
    public static JsonRpcConnection overWebSocket(WebSocketPipe ws, Listener listener, String name) {
        return new JsonRpcConnection(
                new Framing() {
                    @Override
                    public String read() throws IOException {
                        return ws.receive();
                    }

                    @Override
                    public void write(String message) throws IOException {
                        ws.send(message);
                    }

                    @Override
                    public boolean ping() throws IOException {
                        ws.ping();
                        return true;
                    }

                    @Override
                    public long lastHeardNanos() {
                        return ws.lastFrameNanos();
                    }

                    @Override
                    public void close() {
                        try {
                            ws.close();
                        } catch (IOException ignored) {
                            // closing
                        }
                    }
                },
                listener,
                name);
    }

    private static Framing lines(InputStream in, OutputStream out) {
        return new Framing() {
            // read in 64 KiB chunks and cut at '\n' (one read call per chunk, not per byte: lines of deltas are
            // the hot path, and a 1 MB line is 16 reads)
            private final byte[] buffer = new byte[64 * 1024];
            private int position;
            private int limit;
            private final java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream(8 * 1024);

            /** One line, decoded with undecodable bytes kept as escaped bytes (ADR 0014); null at the end. */
            @Override
            public String read() throws IOException {
                line.reset();
                while (true) {
                    if (position == limit) {
                        limit = in.read(buffer);
                        position = 0;
                        if (limit < 0) {
                            limit = 0;
                            return line.size() == 0 ? null : decode();
                        }
                    }
                    int start = position;
                    while (position < limit && buffer[position] != '\n') {
                        position++;
                    }
                    line.write(buffer, start, position - start);
                    if (position < limit) {
                        position++; // the '\n'
                        return decode();
                    }
                }
            }

            private String decode() {
                byte[] bytes = line.toByteArray();
                int length = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return io.devopsconsole.platform.text.StoredText.decodeUtf8(bytes, 0, length);
            }

            @Override
            public void write(String message) throws IOException {
                out.write((message + "\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
            }

            @Override
            public void close() {
                try {
                    in.close();
                } catch (IOException ignored) {
                    // closing
                }
                try {
                    out.close();
                } catch (IOException ignored) {
                    // closing
                }
            }
        };
    }

    /** Starts the reader thread. */
    public JsonRpcConnection start() {
        Thread reader = new Thread(this::readLoop, "codex-rpc-" + name);
        reader.setDaemon(true);
        reader.start();
        return this;
    }

    /** Sends a request; the future completes with its {@code result} or fails with {@link RpcError}. */
    public CompletableFuture<JsonNode> request(String method, JsonNode params) {
        long id = nextId.getAndIncrement();
        CompletableFuture<JsonNode> answer = new CompletableFuture<>();
        pending.put(id, answer);
        ObjectNode m = JSON.createObjectNode().put("id", id).put("method", method);
        if (params != null) {
            m.set("params", params);
        }
        try {
            write(m);
        } catch (IOException e) {
            pending.remove(id);
            answer.completeExceptionally(e);
        }
        return answer;
    }

    public void notify(String method, JsonNode params) throws IOException {
        ObjectNode m = JSON.createObjectNode().put("method", method);
        if (params != null) {
            m.set("params", params);
        }
        write(m);
    }

    /** Answers a server request with its own id. */
    public void respond(JsonNode serverRequestId, JsonNode result) throws IOException {
        ObjectNode m = JSON.createObjectNode();
        m.set("id", serverRequestId);
        m.set("result", result);
        write(m);
    }

    /** Answers a server request the runner does not handle, so the server does not wait for ever. */
    public void respondError(JsonNode serverRequestId, String message) throws IOException {
        ObjectNode m = JSON.createObjectNode();
        m.set("id", serverRequestId);
        m.putObject("error").put("code", -32600).put("message", message);
        write(m);
    }

    /** When the server last sent anything (System.nanoTime()). */
    public long lastReceivedNanos() {
        return lastReceivedNanos;
    }

    /** When anything last arrived from the server: a message, or below JSON-RPC a pong or other frame. */
    public long lastHeardNanos() {
        return Math.max(lastReceivedNanos, framing.lastHeardNanos());
    }

    /**
     * Sends a transport-level ping where the transport has one (the WebSocket to a durable app-server);
     * false where it has none (stdio, whose end is the channel's end) or the write failed.
     */
    public boolean ping() {
        if (closed.get()) {
            return false;
        }
        try {
            return framing.ping();
        } catch (IOException e) {
            return false;
        }
    }

    public boolean isClosed() {
        return closed.get();
    }

    private void write(ObjectNode message) throws IOException {
        if (closed.get()) {
            throw new IOException("connection to the app-server is closed");
        }
        synchronized (framing) {
            framing.write(message.toString());
        }
    }

    private void readLoop() {
        String reason = "the app-server ended its output";
        try {
            String line;
            while ((line = framing.read()) != null) {
                lastReceivedNanos = System.nanoTime();
                if (line.isBlank()) {
                    continue;
                }
                dispatch(line);
            }
        } catch (IOException e) {
            reason = "reading from the app-server failed: " + e.getMessage();
        } finally {
            finish(reason);
        }
    }

    void dispatch(String line) {
        JsonNode m;
        try {
            m = JSON.readTree(line);
        } catch (IOException e) {
            LOG.debugf("%s: skipped a line that is not JSON (%d chars)", name, line.length());
            return;
        }
        if (m == null || !m.isObject()) {
            LOG.debugf("%s: skipped a message that is not an object", name);
            return;
        }
        JsonNode method = m.get("method");
        JsonNode id = m.get("id");
        try {
            if (method != null && method.isTextual()) {
                JsonNode params = m.has("params") ? m.get("params") : JSON.nullNode();
                if (id != null && !id.isNull()) {
                    listener.onServerRequest(id, method.asText(), params);
                } else {
                    listener.onNotification(method.asText(), params);
                }
                return;
            }
            if (id != null && id.canConvertToLong()) {
                CompletableFuture<JsonNode> answer = pending.remove(id.asLong());
                if (answer == null) {
                    LOG.debugf("%s: response to unknown request id %s skipped", name, id);
                } else if (m.has("error")) {
                    JsonNode error = m.get("error");
                    answer.completeExceptionally(new RpcError(
                            error.path("code").asInt(), error.path("message").asText("error")));
                } else {
                    answer.complete(m.has("result") ? m.get("result") : JSON.nullNode());
                }
                return;
            }
            LOG.debugf("%s: skipped a message of unknown shape", name);
        } catch (RuntimeException e) {
            LOG.warnf(e, "%s: handling a message failed", name);
        }
    }

    private void finish(String reason) {
        if (closed.compareAndSet(false, true)) {
            pending.values().forEach(f -> f.completeExceptionally(new IOException(reason)));
            pending.clear();
            listener.onClosed(reason);
        }
    }

    @Override
    public void close() {
        framing.close();
        finish("closed by the runner");
    }
}
