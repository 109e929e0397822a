package io.devopsconsole.platform.codex;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Locale;

/**
 * A WebSocket client (RFC 6455) over a plain byte pipe: what the runner speaks through
 * {@code codex app-server proxy --sock <socket>}, which relays bytes to the durable app-server's
 * unix-socket listener. The HTTP upgrade is checked ({@code 101} and the accept hash); messages are
 * text frames, masked from the client as the RFC requires; fragmented messages are joined; pings
 * are answered, and the client's own pings tell whether the server still answers; a close frame
 * ends the stream. One reader and one writer at a time (writes are
 * serialized).
 */
public final class WebSocketPipe implements AutoCloseable {

    private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int MAX_MESSAGE = 16 * 1024 * 1024; // the app-server's advertised unfragmented limit

    private final InputStream in;
    private final OutputStream out;
    private boolean closed;
    private volatile long lastFrameNanos = System.nanoTime();

    private WebSocketPipe(InputStream in, OutputStream out) {
        this.in = in;
        this.out = out;
    }

    /** Performs the opening handshake; fails unless the server switches protocols with the right accept hash. */
    public static WebSocketPipe open(InputStream in, OutputStream out) throws IOException {
        byte[] nonce = new byte[16];
        RANDOM.nextBytes(nonce);
        String key = Base64.getEncoder().encodeToString(nonce);
        String request = "GET / HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: 13\r\n\r\n";
        out.write(request.getBytes(StandardCharsets.US_ASCII));
        out.flush();
        String head = readHead(in);
        if (!head.startsWith("HTTP/1.1 101")) {
            throw new IOException("the app-server did not upgrade to WebSocket: "
                    + head.lines().findFirst().orElse(head));
        }
        String expected = accept(key);
        boolean accepted = head.lines()
                .anyMatch(l -> l.toLowerCase(Locale.ROOT).startsWith("sec-websocket-accept:")
                        && l.substring(l.indexOf(':') + 1).trim().equals(expected));
        if (!accepted) {
            throw new IOException("the WebSocket upgrade answered with a wrong or missing Sec-WebSocket-Accept");
        }
        return new WebSocketPipe(in, out);
    }

    /** Sends one text message. */
    public void send(String text) throws IOException {
        frame(0x1, text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Sends a ping. The app-server answers every ping with a pong while it lives, even in the middle
     * of a turn, so silence after a ping means it is gone (or the path to it is): {@code app-server
     * proxy} keeps its end of the pipe open after the server behind it dies, so the pipe itself never
     * says so.
     */
    public void ping() throws IOException {
        frame(0x9, Long.toString(System.nanoTime()).getBytes(StandardCharsets.US_ASCII));
    }

    /** When the last frame of any kind (messages, pongs, pings) arrived from the server. */
    public long lastFrameNanos() {
        return lastFrameNanos;
    }

    /** The next text message, or null when the server closed the connection or the pipe ended. */
    public String receive() throws IOException {
        ByteArrayOutputStream message = new ByteArrayOutputStream();
        while (true) {
            int b0 = in.read();
            if (b0 < 0) {
                return null;
            }
            int b1 = read();
            boolean fin = (b0 & 0x80) != 0;
            int opcode = b0 & 0x0F;
            long length = b1 & 0x7F;
            if (length == 126) {
                length = (read() << 8) | read();
            } else if (length == 127) {
                length = 0;
                for (int i = 0; i < 8; i++) {
                    length = (length << 8) | read();
                }
            }
            byte[] mask = null;
            if ((b1 & 0x80) != 0) {
                mask = readFully(4);
            }
            if (length > MAX_MESSAGE || message.size() + length > MAX_MESSAGE) {
                throw new IOException("WebSocket message larger than " + MAX_MESSAGE + " bytes");
            }
            byte[] payload = readFully((int) length);
            lastFrameNanos = System.nanoTime();
            if (mask != null) {
                for (int i = 0; i < payload.length; i++) {
                    payload[i] ^= mask[i % 4];
                }
            }
            switch (opcode) {
                case 0x8 -> { // close: answer and end
                    closeQuietly();
                    return null;
                }
                case 0x9 -> frame(0xA, payload); // ping → pong with the same payload
                case 0xA -> {
                    // pong: nothing to do
                }
                case 0x0, 0x1, 0x2 -> {
                    message.write(payload);
                    if (fin) {
                        // undecodable bytes are kept as escaped bytes, never replaced (ADR 0014)
                        return io.devopsconsole.platform.text.StoredText.decodeUtf8(
                                message.toByteArray(), 0, message.size());
                    }
                }
                default -> throw new IOException("unknown WebSocket opcode " + opcode);
            }
        }
    }

    private synchronized void frame(int opcode, byte[] payload) throws IOException {
        if (closed && opcode != 0x8) {
            throw new IOException("WebSocket is closed");
        }
        ByteArrayOutputStream f = new ByteArrayOutputStream(payload.length + 14);
        f.write(0x80 | opcode);
        if (payload.length < 126) {
            f.write(0x80 | payload.length);
        } else if (payload.length <= 0xFFFF) {
            f.write(0x80 | 126);
            f.write(payload.length >>> 8);
            f.write(payload.length & 0xFF);
        } else {
            f.write(0x80 | 127);
            for (int i = 7; i >= 0; i--) {
                f.write((int) (((long) payload.length >>> (8 * i)) & 0xFF));
            }
        }
        byte[] mask = new byte[4];
        RANDOM.nextBytes(mask);
        f.write(mask);
        for (int i = 0; i < payload.length; i++) {
            f.write(payload[i] ^ mask[i % 4]);
        }
        out.write(f.toByteArray());
        out.flush();
    }

    private int read() throws IOException {
        int b = in.read();
        if (b < 0) {
            throw new EOFException("the pipe ended inside a WebSocket frame");
        }
        return b;
    }

    private byte[] readFully(int n) throws IOException {
        byte[] bytes = in.readNBytes(n);
        if (bytes.length < n) {
            throw new EOFException("the pipe ended inside a WebSocket frame");
        }
        return bytes;
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int c = in.read();
            if (c < 0) {
                throw new EOFException("the pipe ended before the WebSocket handshake completed");
            }
            head.write(c);
            matched = (c == '\r' && (matched == 0 || matched == 2)) || (c == '\n' && (matched == 1 || matched == 3))
                    ? matched + 1
                    : (c == '\r' ? 1 : 0);
            if (head.size() > 8192) {
                throw new IOException("WebSocket handshake response too long");
            }
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    static String accept(String key) {
        try {
            return Base64.getEncoder()
                    .encodeToString(MessageDigest.getInstance("SHA-1")
                            .digest((key + GUID).getBytes(StandardCharsets.US_ASCII)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private void closeQuietly() {
        try {
            close();
        } catch (IOException ignored) {
            // the other side is gone already
        }
    }

    /** Sends a close frame (once). */
    @Override
    public void close() throws IOException {
        if (!closed) {
            closed = true;
            frame(0x8, new byte[0]);
        }
    }
}
