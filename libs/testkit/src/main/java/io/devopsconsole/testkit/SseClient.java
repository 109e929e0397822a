package io.devopsconsole.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A plain SSE client for tests (a socket, HTTP/1.1, chunked decoding, the SSE field grammar), so
 * events are seen the moment their bytes arrive (the JDK HttpClient buffers text/event-stream).
 * Events are collected in arrival order; {@link #events()} is safe to read while it runs.
 */
public final class SseClient implements AutoCloseable {

    /**
     * One event: its {@code id}, {@code event} name and {@code data} (lines joined with \n), and
     * when its last line was read ({@link System#nanoTime()}); comments are dropped.
     */
    public record Event(String id, String event, String data, long receivedNanos) {}

    private final Socket socket;
    private final List<Event> events = new CopyOnWriteArrayList<>();
    private final Thread reader;

    private SseClient(Socket socket, InputStream in, boolean chunked) {
        this.socket = socket;
        this.reader = new Thread(() -> read(in, chunked), "sse-client");
        this.reader.setDaemon(true);
        this.reader.start();
    }

    /** Opens the stream; fails unless the answer is 200. */
    public static SseClient open(URI uri, String bearer, String lastEventId) throws IOException {
        Socket socket = new Socket(uri.getHost(), uri.getPort());
        OutputStream out = socket.getOutputStream();
        String path = uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        StringBuilder request = new StringBuilder("GET " + path + " HTTP/1.1\r\nHost: " + uri.getHost() + ":"
                + uri.getPort() + "\r\nAccept: text/event-stream\r\nAuthorization: Bearer " + bearer + "\r\n");
        if (lastEventId != null) {
            request.append("Last-Event-ID: ").append(lastEventId).append("\r\n");
        }
        out.write(request.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = socket.getInputStream();
        String head = readHead(in);
        if (!head.startsWith("HTTP/1.1 200")) {
            socket.close();
            throw new IOException("stream answered " + head.lines().findFirst().orElse(head));
        }
        return new SseClient(socket, in, head.toLowerCase(Locale.ROOT).contains("transfer-encoding: chunked"));
    }

    public List<Event> events() {
        return List.copyOf(events);
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0) {
            head.write(c);
            byte[] b = head.toByteArray();
            int n = b.length;
            if (n >= 4 && b[n - 4] == '\r' && b[n - 3] == '\n' && b[n - 2] == '\r' && b[n - 1] == '\n') {
                break;
            }
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    private void read(InputStream in, boolean chunked) {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        String id = null;
        String event = null;
        List<String> data = new ArrayList<>();
        try {
            while (true) {
                int c = chunked ? nextChunked(in) : in.read();
                if (c < 0) {
                    break;
                }
                if (c != '\n') {
                    if (c != '\r') {
                        line.write(c);
                    }
                    continue;
                }
                String l = line.toString(StandardCharsets.UTF_8);
                line.reset();
                if (l.isEmpty()) {
                    if (!data.isEmpty() || event != null) {
                        events.add(new Event(id, event, String.join("\n", data), System.nanoTime()));
                    }
                    event = null;
                    data = new ArrayList<>();
                    continue;
                }
                if (l.startsWith(":")) {
                    continue;
                }
                int colon = l.indexOf(':');
                String field = colon < 0 ? l : l.substring(0, colon);
                String value = colon < 0
                        ? ""
                        : l.substring(colon + 1).startsWith(" ") ? l.substring(colon + 2) : l.substring(colon + 1);
                switch (field) {
                    case "id" -> id = value;
                    case "event" -> event = value;
                    case "data" -> data.add(value);
                    default -> {
                        // retry and unknown fields
                    }
                }
            }
        } catch (IOException e) {
            // closed
        }
    }

    private long chunkLeft;

    private int nextChunked(InputStream in) throws IOException {
        while (chunkLeft == 0) {
            StringBuilder size = new StringBuilder();
            int c;
            while ((c = in.read()) >= 0 && c != '\n') {
                if (c != '\r') {
                    size.append((char) c);
                }
            }
            if (c < 0) {
                return -1;
            }
            if (size.length() == 0) {
                continue; // the CRLF after a chunk's data
            }
            int semi = size.indexOf(";");
            chunkLeft = Long.parseLong((semi < 0 ? size.toString() : size.substring(0, semi)).trim(), 16);
            if (chunkLeft == 0) {
                return -1;
            }
        }
        int c = in.read();
        if (c >= 0) {
            chunkLeft--;
        }
        return c;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
