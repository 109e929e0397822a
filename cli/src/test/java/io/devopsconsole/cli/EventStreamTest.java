package io.devopsconsole.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The live tail over real HTTP: a dropped connection and a server-asked reconnect resume from the last event. */
class EventStreamTest {

    @TempDir
    Path dir;

    @Test
    void aDroppedConnectionResumesAfterTheLastEventWithNothingMissedOrRepeated() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        List<String> lastEventIds = new CopyOnWriteArrayList<>();
        List<String> authorizations = new CopyOnWriteArrayList<>();
        AtomicInteger connection = new AtomicInteger();
        server.createContext("/api/sessions/s1/stream", ex -> {
            lastEventIds.add(String.valueOf(ex.getRequestHeaders().getFirst("Last-Event-ID")));
            authorizations.add(ex.getRequestHeaders().getFirst("Authorization"));
            ex.getResponseHeaders().add("Content-Type", "text/event-stream");
            ex.sendResponseHeaders(200, 0);
            OutputStream out = ex.getResponseBody();
            String body = switch (connection.incrementAndGet()) {
                // events 1-3, a heartbeat, then the connection drops in the middle of event 4
                case 1 -> event(1) + ":heartbeat\n\n" + event(2) + event(3) + "id: 4\ndata: {\"kind\":\"agent_mes";
                // 4 (multi-line data), 5, then the server asks the viewer to come back
                case 2 ->
                    "id: 4\ndata: {\"seq\":4,\ndata: \"kind\":\"status\"}\n\n" + event(5)
                            + "event: reconnect\ndata: {\"last_event_id\":5}\n\n";
                // an event already delivered is not shown again; 6; the session ends
                default -> event(5) + event(6) + "event: end\ndata: {\"reason\":\"session ended\"}\n\n";
            };
            out.write(body.getBytes(StandardCharsets.UTF_8));
            out.flush();
            ex.close();
        });
        server.start();
        try {
            Store store = new Store(dir);
            store.write(Store.JSON
                    .createObjectNode()
                    .put("console", "http://127.0.0.1:" + server.getAddress().getPort())
                    .put("issuer", "http://127.0.0.1:1/realms/r")
                    .put("access_token", "tok")
                    .put("expires_at", Instant.now().plusSeconds(600).getEpochSecond()));
            Api api = new Api(Api.client(), store);
            EventStream stream = new EventStream(api, "/api/sessions/s1/stream", 0);
            List<Long> seqs = new ArrayList<>();
            List<String> data = new ArrayList<>();
            List<String> resumes = new ArrayList<>();
            stream.follow(new EventStream.Listener() {
                @Override
                public void record(long seq, String d) {
                    seqs.add(seq);
                    data.add(d);
                }

                @Override
                public void reconnecting(long after, String why) {
                    resumes.add(after + ": " + why);
                }
            });
            assertThat(seqs).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
            assertThat(data.get(3)).isEqualTo("{\"seq\":4,\n\"kind\":\"status\"}");
            assertThat(lastEventIds).containsExactly("null", "3", "5");
            assertThat(authorizations).containsOnly("Bearer tok");
            assertThat(resumes).containsExactly("3: the connection closed", "5: the console asked to reconnect");
            assertThat(stream.connections()).isEqualTo(3);
        } finally {
            server.stop(0);
        }
    }

    private static String event(long seq) {
        return "id: " + seq + "\ndata: {\"seq\":" + seq + ",\"kind\":\"agent_message_delta\"}\n\n";
    }
}
