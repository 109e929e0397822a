package io.devopsconsole.session;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * An SSE viewer on a bare socket with a tiny receive buffer that reads nothing until told to:
 * the server sees a connection that does not keep up (HTTP clients buffer ahead and would hide it).
 */
public final class RawSseClient implements AutoCloseable {

    private final Socket socket;

    private RawSseClient(Socket socket) {
        this.socket = socket;
    }

    public static RawSseClient open(UUID session, String token) throws IOException {
        URI base = URI.create(SseClient.base());
        Socket socket = new Socket();
        socket.setReceiveBufferSize(4096);
        socket.connect(new InetSocketAddress(base.getHost(), base.getPort()), 5000);
        OutputStream out = socket.getOutputStream();
        out.write(("GET /api/sessions/" + session + "/stream HTTP/1.1\r\nHost: " + base.getHost() + ":" + base.getPort()
                        + "\r\nAuthorization: Bearer " + token + "\r\nAccept: text/event-stream\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return new RawSseClient(socket);
    }

    /** Reads the rest of the response (chunked) until the server closes it; returns its events. */
    public List<SseClient.Event> readToEnd(int timeoutMillis) throws IOException {
        socket.setSoTimeout(timeoutMillis);
        InputStream in = socket.getInputStream();
        String line;
        while (!(line = readLine(in)).isEmpty()) {
            // status line and headers
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            String size = readLine(in).strip();
            if (size.isEmpty()) {
                continue;
            }
            int n = Integer.parseInt(size.split(";")[0], 16);
            if (n == 0) {
                break;
            }
            body.write(in.readNBytes(n));
        }
        List<SseClient.Event> events = new ArrayList<>();
        Long id = null;
        String event = null;
        StringBuilder data = new StringBuilder();
        for (String l : body.toString(StandardCharsets.UTF_8).split("\n", -1)) {
            if (l.isEmpty()) {
                if (data.length() > 0 || event != null) {
                    events.add(new SseClient.Event(id, event, data.toString()));
                }
                id = null;
                event = null;
                data.setLength(0);
            } else if (l.startsWith("id:")) {
                id = Long.parseLong(l.substring(3).strip());
            } else if (l.startsWith("event:")) {
                event = l.substring(6).strip();
            } else if (l.startsWith("data:")) {
                data.append(l.substring(5).strip());
            }
        }
        return events;
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1 && b != '\n') {
            if (b != '\r') {
                line.write(b);
            }
        }
        if (b == -1 && line.size() == 0) {
            throw new IOException("connection closed");
        }
        return line.toString(StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
