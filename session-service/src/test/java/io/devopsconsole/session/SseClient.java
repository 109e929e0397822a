package io.devopsconsole.session;

import io.quarkus.test.common.http.TestHTTPResourceManager;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A minimal SSE client over java.net.http: parses id/event/data fields into events on a queue. */
public final class SseClient implements AutoCloseable {

    /** One event as the wire carried it ({@code event} null for ordinary data events). */
    public record Event(Long id, String event, String data) {}

    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public final int status;
    public final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final InputStream body;
    private final Thread reader;
    private volatile boolean closed;
    public volatile boolean ended;
    public final java.util.concurrent.atomic.AtomicInteger comments = new java.util.concurrent.atomic.AtomicInteger();

    private SseClient(HttpResponse<InputStream> response, boolean read) {
        this.status = response.statusCode();
        this.body = response.body();
        this.reader = new Thread(this::read, "sse-client");
        this.reader.setDaemon(true);
        if (read) {
            reader.start();
        }
    }

    public static String base() {
        return TestHTTPResourceManager.getUri();
    }

    public static SseClient open(UUID session, String token, Long lastEventId)
            throws IOException, InterruptedException {
        return open(session, token, lastEventId, true);
    }

    /** With {@code read} false the client never reads: a viewer whose connection does not keep up. */
    public static SseClient open(UUID session, String token, Long lastEventId, boolean read)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(
                        URI.create(base() + "/api/sessions/" + session + "/stream"))
                .header("Authorization", "Bearer " + token)
                .header("Accept", "text/event-stream");
        if (lastEventId != null) {
            request.header("Last-Event-ID", Long.toString(lastEventId));
        }
        return new SseClient(HTTP.send(request.GET().build(), HttpResponse.BodyHandlers.ofInputStream()), read);
    }

    private void read() {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
            Long id = null;
            String event = null;
            StringBuilder data = new StringBuilder();
            String line;
            while (!closed && (line = lines.readLine()) != null) {
                if (line.isEmpty()) {
                    if (data.length() > 0 || event != null) {
                        events.add(new Event(id, event, data.toString()));
                    }
                    id = null;
                    event = null;
                    data.setLength(0);
                } else if (line.startsWith(":")) {
                    comments.incrementAndGet();
                } else if (line.startsWith("id:")) {
                    id = Long.parseLong(line.substring(3).strip());
                } else if (line.startsWith("event:")) {
                    event = line.substring(6).strip();
                } else if (line.startsWith("data:")) {
                    data.append(data.length() > 0 ? "\n" : "")
                            .append(line.substring(5).strip());
                }
            }
        } catch (IOException e) {
            // closed
        } finally {
            ended = true;
        }
    }

    /** The next {@code n} data events (skipping nothing), or fewer if the time runs out. */
    public List<Event> take(int n, Duration within) throws InterruptedException {
        List<Event> out = new ArrayList<>();
        long deadline = System.nanoTime() + within.toNanos();
        while (out.size() < n) {
            Event e = events.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (e == null) {
                break;
            }
            out.add(e);
        }
        return out;
    }

    /** Starts reading a client opened with {@code read} false. */
    public void startReading() {
        reader.start();
    }

    public String bodyText() throws IOException {
        return new String(body.readAllBytes(), StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        closed = true;
        try {
            body.close();
        } catch (IOException e) {
            // closing
        }
    }
}
