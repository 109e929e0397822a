package io.devopsconsole.testkit.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Many SSE viewers on one selector thread, so that the measuring client costs a fraction of a
 * core instead of competing with the service it measures (a JDK HttpClient reader thread per
 * viewer took most of a core on a 2-core machine). Each connection is plain HTTP/1.1; the body
 * is de-chunked as it arrives and scanned for {@code "sent_nanos":<digits>}; every match is reported
 * with its receive time. Parsing is streaming: a number split across reads or chunks is
 * still read whole.
 */
final class SseLatencyReader implements AutoCloseable {

    /** One event: the {@code sent_nanos} it carried and when its bytes were read. */
    interface Receipt {
        void at(long sentNanos, long receivedNanos);
    }

    private final byte[] needle;

    private final Selector selector;
    private final Thread loop;
    private volatile boolean closed;

    SseLatencyReader() throws IOException {
        this("\"sent_nanos\":");
    }

    /** Reads the send time after {@code needle} (for example {@code @@T} inside a relayed delta). */
    SseLatencyReader(String needle) throws IOException {
        this.needle = needle.getBytes(StandardCharsets.US_ASCII);
        this.selector = Selector.open();
        this.loop = new Thread(this::run, "sse-latency-reader");
        this.loop.setDaemon(true);
    }

    /** Opens a viewer (blocking until the response head says 200) and reads it on the selector thread. */
    void open(URI stream, String token, Receipt receipt, AtomicLong received) throws IOException {
        SocketChannel ch = SocketChannel.open(new InetSocketAddress(stream.getHost(), stream.getPort()));
        ch.socket().setTcpNoDelay(true);
        String request = "GET " + stream.getRawPath() + " HTTP/1.1\r\nHost: " + stream.getHost() + ":"
                + stream.getPort() + "\r\nAuthorization: Bearer " + token + "\r\nAccept: text/event-stream\r\n\r\n";
        ByteBuffer out = ByteBuffer.wrap(request.getBytes(StandardCharsets.US_ASCII));
        while (out.hasRemaining()) {
            ch.write(out);
        }
        Viewer v = new Viewer(receipt, received, needle);
        // the response head: read byte by byte until the blank line (small, once per viewer)
        StringBuilder head = new StringBuilder();
        ByteBuffer one = ByteBuffer.allocate(1);
        while (!head.toString().endsWith("\r\n\r\n")) {
            one.clear();
            if (ch.read(one) < 0) {
                throw new IOException("closed before the response head");
            }
            head.append((char) one.get(0));
        }
        String h = head.toString();
        if (!h.startsWith("HTTP/1.1 200")) {
            ch.close();
            throw new IOException("stream answered " + h.lines().findFirst().orElse(h));
        }
        v.chunked = h.toLowerCase(Locale.ROOT).contains("transfer-encoding: chunked");
        ch.configureBlocking(false);
        synchronized (this) {
            selector.wakeup();
            ch.register(selector, SelectionKey.OP_READ, v);
        }
        if (!loop.isAlive()) {
            loop.start();
        }
    }

    private void run() {
        ByteBuffer buf = ByteBuffer.allocateDirect(64 * 1024);
        byte[] bytes = new byte[64 * 1024];
        while (!closed) {
            try {
                selector.select();
                synchronized (this) {
                    // registration happens under this lock while the selector is woken
                }
                long now = System.nanoTime();
                for (SelectionKey key : selector.selectedKeys()) {
                    SocketChannel ch = (SocketChannel) key.channel();
                    Viewer v = (Viewer) key.attachment();
                    buf.clear();
                    int n;
                    try {
                        n = ch.read(buf);
                    } catch (IOException e) {
                        n = -1;
                    }
                    if (n < 0) {
                        key.cancel();
                        ch.close();
                        continue;
                    }
                    buf.flip();
                    buf.get(bytes, 0, n);
                    v.feed(bytes, n, now);
                }
                selector.selectedKeys().clear();
            } catch (IOException | java.nio.channels.ClosedSelectorException e) {
                if (!closed) {
                    throw new IllegalStateException(e);
                }
            }
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        selector.wakeup();
        for (SelectionKey key : selector.keys()) {
            key.channel().close();
        }
        selector.close();
    }

    private static final class Viewer {
        private final byte[] needle;
        private final Receipt receipt;
        private final AtomicLong received;
        boolean chunked;
        // de-chunking: SIZE (hex digits, then CRLF), DATA (remaining bytes), then the CRLF after data
        private int chunkState;
        private long chunkLeft;
        private long chunkSize;
        // scanning for the needle, then its digits
        private int matched;
        private boolean inNumber;
        private long number;

        Viewer(Receipt receipt, AtomicLong received, byte[] needle) {
            this.needle = needle;
            this.receipt = receipt;
            this.received = received;
        }

        void feed(byte[] b, int n, long now) {
            for (int i = 0; i < n; i++) {
                byte c = b[i];
                if (!chunked) {
                    scan(c, now);
                    continue;
                }
                switch (chunkState) {
                    case 0 -> { // size line
                        if (c == '\n') {
                            chunkLeft = chunkSize;
                            chunkSize = 0;
                            chunkState = chunkLeft == 0 ? 2 : 1;
                        } else if (Character.digit(c, 16) >= 0) {
                            chunkSize = chunkSize * 16 + Character.digit(c, 16);
                        }
                    }
                    case 1 -> { // data
                        scan(c, now);
                        if (--chunkLeft == 0) {
                            chunkState = 2;
                        }
                    }
                    default -> { // CRLF after the data
                        if (c == '\n') {
                            chunkState = 0;
                        }
                    }
                }
            }
        }

        private void scan(byte c, long now) {
            if (inNumber) {
                if (c >= '0' && c <= '9') {
                    number = number * 10 + (c - '0');
                    return;
                }
                inNumber = false;
                received.incrementAndGet();
                receipt.at(number, now);
            }
            if (c == needle[matched]) {
                if (++matched == needle.length) {
                    matched = 0;
                    inNumber = true;
                    number = 0;
                }
            } else {
                matched = c == needle[0] ? 1 : 0;
            }
        }
    }
}
