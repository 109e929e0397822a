package io.devopsconsole.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A session's live stream (server-sent events) that survives dropped connections: every event
 * carries its transcript position as its id, and a reconnection sends the last one received as
 * {@code Last-Event-ID}, so nothing is missed and nothing is shown twice — the same contract the
 * browser's EventSource uses. The server's {@code reconnect} control (this viewer fell behind) is
 * followed the same way; {@code end} (the session ended) finishes the tail.
 */
public final class EventStream {

    /** What the stream delivers. */
    public interface Listener {
        void record(long seq, String data);

        /** The console answered the stream request: records follow as they are stored. */
        default void connected(long after) {}

        /** The connection dropped or the server asked to come back; {@code after} is where it resumes. */
        default void reconnecting(long after, String why) {}
    }

    static final Duration FIRST_WAIT = Duration.ofMillis(250);
    static final Duration LONGEST_WAIT = Duration.ofSeconds(5);

    private final Api api;
    private final String path;
    private long last;
    private int connections;

    public EventStream(Api api, String path, long after) {
        this.api = api;
        this.path = path;
        this.last = after;
    }

    public long last() {
        return last;
    }

    public int connections() {
        return connections;
    }

    /** Follows the stream until the session ends; refusals (403, 404, a sign-in that ended) end it with an error. */
    public void follow(Listener listener) {
        Duration wait = FIRST_WAIT;
        while (true) {
            String why;
            try {
                Outcome outcome = once(listener);
                if (outcome == Outcome.ENDED) {
                    return;
                }
                why = outcome == Outcome.ASKED ? "the console asked to reconnect" : "the connection closed";
                wait = FIRST_WAIT;
            } catch (CliException e) {
                if (e.exitCode() != CliException.UNAVAILABLE) {
                    throw e;
                }
                why = e.getMessage();
            } catch (IOException e) {
                why = "the connection dropped (" + Api.describe(e) + ")";
            }
            listener.reconnecting(last, why);
            try {
                Thread.sleep(wait.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            wait = wait.multipliedBy(2).compareTo(LONGEST_WAIT) > 0 ? LONGEST_WAIT : wait.multipliedBy(2);
        }
    }

    enum Outcome {
        ENDED,
        ASKED,
        DROPPED
    }

    Outcome once(Listener listener) throws IOException {
        HttpRequest.Builder request =
                api.request("GET", path, null).timeout(Duration.ofDays(1)).setHeader("Accept", "text/event-stream");
        if (last > 0) {
            request.header("Last-Event-ID", Long.toString(last));
        }
        connections++;
        HttpResponse<InputStream> r = api.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        if (r.statusCode() != 200) {
            String text;
            try (InputStream in = r.body()) {
                text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            throw Api.refusal(r.statusCode(), text, path);
        }
        listener.connected(last);
        try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            String id = null;
            String event = null;
            StringBuilder data = null;
            String line;
            while ((line = in.readLine()) != null) {
                if (line.isEmpty()) {
                    if (data != null) {
                        String name = event == null ? "message" : event;
                        if (name.equals("end")) {
                            return Outcome.ENDED;
                        }
                        if (name.equals("reconnect")) {
                            return Outcome.ASKED;
                        }
                        long seq = id == null ? -1 : parse(id);
                        if (seq > last) {
                            last = seq;
                            listener.record(seq, data.toString());
                        }
                    }
                    id = null;
                    event = null;
                    data = null;
                    continue;
                }
                if (line.startsWith(":")) {
                    continue; // a heartbeat
                }
                int colon = line.indexOf(':');
                String field = colon < 0 ? line : line.substring(0, colon);
                String value = colon < 0 ? "" : line.substring(colon + (line.startsWith(": ", colon) ? 2 : 1));
                switch (field) {
                    case "id" -> id = value;
                    case "event" -> event = value;
                    case "data" ->
                        data = data == null
                                ? new StringBuilder(value)
                                : data.append('\n').append(value);
                    default -> {}
                }
            }
        }
        return Outcome.DROPPED;
    }

    private static long parse(String id) {
        try {
            return Long.parseLong(id.strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
