package io.devopsconsole.testkit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.zip.GZIPInputStream;

/**
 * A trace collector test double that speaks OTLP/HTTP with protobuf bodies (what the services'
 * exporter sends with {@code quarkus.otel.exporter.otlp.traces.protocol=http/protobuf}): it accepts
 * {@code POST …/v1/traces} ({@code ExportTraceServiceRequest}, gzip or not), answers an empty
 * {@code ExportTraceServiceResponse}, and keeps each span — service name, trace id, span id, parent
 * span id, name, kind, start and end (Unix epoch nanoseconds) — in memory and, when given a file, as
 * one JSON line each.
 *
 * <p>The protobuf wire format is decoded here (tags, varints, length-delimited fields) for the few
 * fields of opentelemetry-proto's trace messages it reads; everything else is skipped.
 * {@code java ... OtlpCollector <port> <spans.jsonl>} runs it until killed.
 */
public final class OtlpCollector implements AutoCloseable {

    /**
     * One received span. Ids are lower-case hex; {@code parentSpanId} is empty for a root span; start
     * and end are Unix epoch nanoseconds.
     */
    public record Span(
            String service,
            String traceId,
            String spanId,
            String parentSpanId,
            String name,
            int kind,
            long startNanos,
            long endNanos) {}

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpServer server;
    private final List<Span> spans = new CopyOnWriteArrayList<>();
    private final Path file;

    private OtlpCollector(int port, Path file) throws IOException {
        this.file = file;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 64);
        server.setExecutor(Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "otlp-collector");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/", exchange -> {
            try (exchange) {
                if (!"POST".equals(exchange.getRequestMethod())
                        || !exchange.getRequestURI().getPath().endsWith("/v1/traces")) {
                    exchange.sendResponseHeaders(404, -1);
                    return;
                }
                InputStream in = exchange.getRequestBody();
                if ("gzip".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Content-Encoding"))) {
                    in = new GZIPInputStream(in);
                }
                byte[] body = in.readAllBytes();
                List<Span> received;
                try {
                    received = exportRequest(body);
                } catch (RuntimeException malformed) {
                    exchange.sendResponseHeaders(400, -1);
                    return;
                }
                spans.addAll(received);
                if (file != null && !received.isEmpty()) {
                    StringBuilder lines = new StringBuilder();
                    for (Span s : received) {
                        lines.append(JSON.writeValueAsString(s)).append('\n');
                    }
                    synchronized (this) {
                        Files.writeString(
                                file,
                                lines,
                                StandardCharsets.UTF_8,
                                StandardOpenOption.CREATE,
                                StandardOpenOption.APPEND);
                    }
                }
                exchange.getResponseHeaders().add("Content-Type", "application/x-protobuf");
                exchange.sendResponseHeaders(200, -1); // an empty ExportTraceServiceResponse (zero bytes): all accepted
            }
        });
        server.start();
    }

    public static OtlpCollector start(int port, Path file) {
        try {
            return new OtlpCollector(port, file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** The spans received so far. */
    public List<Span> spans() {
        return List.copyOf(spans);
    }

    @Override
    public void close() {
        server.stop(0);
    }

    // ---- opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest -----------------------

    static List<Span> exportRequest(byte[] body) {
        List<Span> out = new ArrayList<>();
        Reader r = new Reader(body);
        while (r.more()) {
            int tag = r.tag();
            if (tag >>> 3 == 1 && (tag & 7) == 2) { // resource_spans
                resourceSpans(r.bytes(), out);
            } else {
                r.skip(tag);
            }
        }
        return out;
    }

    private static void resourceSpans(byte[] message, List<Span> out) {
        Reader r = new Reader(message);
        String service = "";
        List<byte[]> scopes = new ArrayList<>();
        while (r.more()) {
            int tag = r.tag();
            if (tag >>> 3 == 1 && (tag & 7) == 2) { // resource
                Reader resource = new Reader(r.bytes());
                while (resource.more()) {
                    int t = resource.tag();
                    if (t >>> 3 == 1 && (t & 7) == 2) { // attributes: KeyValue
                        String[] kv = keyValue(resource.bytes());
                        if ("service.name".equals(kv[0])) {
                            service = kv[1];
                        }
                    } else {
                        resource.skip(t);
                    }
                }
            } else if (tag >>> 3 == 2 && (tag & 7) == 2) { // scope_spans
                scopes.add(r.bytes());
            } else {
                r.skip(tag);
            }
        }
        for (byte[] scope : scopes) {
            Reader s = new Reader(scope);
            while (s.more()) {
                int tag = s.tag();
                if (tag >>> 3 == 2 && (tag & 7) == 2) { // spans
                    out.add(span(service, s.bytes()));
                } else {
                    s.skip(tag);
                }
            }
        }
    }

    private static Span span(String service, byte[] message) {
        Reader r = new Reader(message);
        String traceId = "";
        String spanId = "";
        String parent = "";
        String name = "";
        int kind = 0;
        long start = 0;
        long end = 0;
        HexFormat hex = HexFormat.of();
        while (r.more()) {
            int tag = r.tag();
            switch (tag) {
                case (1 << 3) | 2 -> traceId = hex.formatHex(r.bytes());
                case (2 << 3) | 2 -> spanId = hex.formatHex(r.bytes());
                case (4 << 3) | 2 -> parent = hex.formatHex(r.bytes());
                case (5 << 3) | 2 -> name = new String(r.bytes(), StandardCharsets.UTF_8);
                case (6 << 3) -> kind = (int) r.varint();
                case (7 << 3) | 1 -> start = r.fixed64();
                case (8 << 3) | 1 -> end = r.fixed64();
                default -> r.skip(tag);
            }
        }
        return new Span(service, traceId, spanId, parent, name, kind, start, end);
    }

    /** KeyValue {key = 1; AnyValue value = 2 {string_value = 1}}: {key, string value or ""}. */
    private static String[] keyValue(byte[] message) {
        Reader r = new Reader(message);
        String key = "";
        String value = "";
        while (r.more()) {
            int tag = r.tag();
            if (tag == ((1 << 3) | 2)) {
                key = new String(r.bytes(), StandardCharsets.UTF_8);
            } else if (tag == ((2 << 3) | 2)) {
                Reader any = new Reader(r.bytes());
                while (any.more()) {
                    int t = any.tag();
                    if (t == ((1 << 3) | 2)) {
                        value = new String(any.bytes(), StandardCharsets.UTF_8);
                    } else {
                        any.skip(t);
                    }
                }
            } else {
                r.skip(tag);
            }
        }
        return new String[] {key, value};
    }

    /** The protobuf wire format: tags, varints, fixed 32/64-bit and length-delimited fields. */
    private static final class Reader {
        private final byte[] b;
        private int pos;

        Reader(byte[] b) {
            this.b = b;
        }

        boolean more() {
            return pos < b.length;
        }

        int tag() {
            return (int) varint();
        }

        long varint() {
            long value = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                if (pos >= b.length) {
                    throw new IllegalArgumentException("truncated varint");
                }
                byte x = b[pos++];
                value |= (long) (x & 0x7f) << shift;
                if ((x & 0x80) == 0) {
                    return value;
                }
            }
            throw new IllegalArgumentException("varint too long");
        }

        long fixed64() {
            if (pos + 8 > b.length) {
                throw new IllegalArgumentException("truncated field");
            }
            long value = 0;
            for (int i = 7; i >= 0; i--) {
                value = (value << 8) | (b[pos + i] & 0xffL);
            }
            pos += 8;
            return value;
        }

        byte[] bytes() {
            int length = (int) varint();
            if (length < 0 || pos + length > b.length) {
                throw new IllegalArgumentException("truncated field");
            }
            byte[] out = java.util.Arrays.copyOfRange(b, pos, pos + length);
            pos += length;
            return out;
        }

        void skip(int tag) {
            switch (tag & 7) {
                case 0 -> varint();
                case 1 -> pos += 8;
                case 2 -> bytes();
                case 5 -> pos += 4;
                default -> throw new IllegalArgumentException("unsupported wire type " + (tag & 7));
            }
            if (pos > b.length) {
                throw new IllegalArgumentException("truncated field");
            }
        }
    }

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[1]);
        Files.deleteIfExists(file);
        OtlpCollector collector = start(Integer.parseInt(args[0]), file);
        System.out.println("otlp collector ready on http://127.0.0.1:" + collector.port() + " (spans to " + file + ")");
        Thread.currentThread().join();
    }

    /** A span as the collector keeps it, for readers of the JSON lines. */
    public static Span parse(String line) {
        try {
            ObjectNode n = (ObjectNode) JSON.readTree(line);
            return new Span(
                    n.path("service").asText(),
                    n.path("traceId").asText(),
                    n.path("spanId").asText(),
                    n.path("parentSpanId").asText(),
                    n.path("name").asText(),
                    n.path("kind").asInt(),
                    n.path("startNanos").asLong(),
                    n.path("endNanos").asLong());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
