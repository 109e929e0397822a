package io.devopsconsole.session.notify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Test doubles of the two chat protocols notifications speak (the real services cannot run here):
 *
 * <ul>
 *   <li>a Slack incoming webhook: {@code POST /services/T…/B…/…} with a JSON body holding {@code text},
 *   answered {@code 200 ok}; {@code 400 invalid_payload} without text; it can be told to fail the next
 *   requests with {@code 500};</li>
 *   <li>a Matrix homeserver's client-server API: {@code PUT
 *   /_matrix/client/v3/rooms/{roomId}/send/m.room.message/{txnId}} with {@code Authorization: Bearer},
 *   answered {@code {"event_id": …}}; {@code 401 M_MISSING_TOKEN}/{@code M_UNKNOWN_TOKEN} otherwise;
 *   a transaction id sent again by the same token returns the first event and adds no message (the
 *   idempotency the specification gives).</li>
 * </ul>
 */
public class ChatDoubles implements QuarkusTestResourceLifecycleManager {

    public static final String TOKEN = "syt_bot_not_a_real_token_7f3a";
    public static final String ROOM = "!ops:matrix.test";
    public static final String WEBHOOK_PATH = "/services/T0001/B0002/hook-secret-part";

    /** Messages the Slack webhook accepted (their JSON bodies), and every request it got. */
    public static final List<JsonNode> slack = new CopyOnWriteArrayList<>();

    public static final AtomicInteger slackRequests = new AtomicInteger();
    /** Requests whose text contains {@link #failWhenContains} to fail with 500 before answering again. */
    public static final AtomicInteger slackFailures = new AtomicInteger();

    public static volatile String failWhenContains;
    /** Events the Matrix room holds, in order, and every send request it got. */
    public static final List<JsonNode> matrix = new CopyOnWriteArrayList<>();

    public static final AtomicInteger matrixRequests = new AtomicInteger();
    /** When each message arrived (epoch ms), by the text it carries. */
    public static final Map<String, Long> arrivedAt = new ConcurrentHashMap<>();

    private static final Map<String, String> transactions = new ConcurrentHashMap<>();
    private static final Pattern SEND =
            Pattern.compile("^/_matrix/client/v3/rooms/([^/]+)/send/m\\.room\\.message/([^/]+)$");
    private static final ObjectMapper JSON = new ObjectMapper();
    private HttpServer server;

    @Override
    public Map<String, String> start() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        server.createContext("/services/", this::webhook);
        server.createContext("/_matrix/", this::homeserver);
        server.start();
        String base = "http://127.0.0.1:" + server.getAddress().getPort();
        return Map.of(
                "devops.notify.slack.webhook-url",
                base + WEBHOOK_PATH,
                "devops.notify.matrix.homeserver-url",
                base,
                "devops.notify.matrix.room-id",
                ROOM,
                "devops.notify.matrix.access-token",
                TOKEN,
                "devops.notify.console-url",
                "https://console.test/",
                "devops.notify.debounce",
                "PT0.8S",
                "devops.notify.interval",
                "PT0.2S",
                "devops.notify.retry-wait",
                "PT0.2S");
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    private void webhook(HttpExchange x) throws IOException {
        slackRequests.incrementAndGet();
        if (!x.getRequestMethod().equals("POST") || !x.getRequestURI().getPath().equals(WEBHOOK_PATH)) {
            answer(x, 404, "text/plain", "no_service");
            return;
        }
        JsonNode body = JSON.readTree(x.getRequestBody());
        String marker = failWhenContains;
        if (marker != null && body.path("text").asText().contains(marker) && slackFailures.getAndDecrement() > 0) {
            answer(x, 500, "text/plain", "internal_error");
            return;
        }
        if (!body.path("text").isTextual() || body.path("text").asText().isBlank()) {
            answer(x, 400, "text/plain", "invalid_payload");
            return;
        }
        slack.add(body);
        arrivedAt.putIfAbsent(body.path("text").asText(), System.currentTimeMillis());
        answer(x, 200, "text/plain", "ok");
    }

    private void homeserver(HttpExchange x) throws IOException {
        Matcher m = SEND.matcher(x.getRequestURI().getRawPath());
        if (!x.getRequestMethod().equals("PUT") || !m.matches()) {
            answer(x, 404, "application/json", "{\"errcode\":\"M_UNRECOGNIZED\",\"error\":\"Unrecognized request\"}");
            return;
        }
        matrixRequests.incrementAndGet();
        String auth = x.getRequestHeaders().getFirst("Authorization");
        if (auth == null) {
            answer(x, 401, "application/json", "{\"errcode\":\"M_MISSING_TOKEN\",\"error\":\"Missing access token\"}");
            return;
        }
        if (!auth.equals("Bearer " + TOKEN)) {
            answer(x, 401, "application/json", "{\"errcode\":\"M_UNKNOWN_TOKEN\",\"error\":\"Unknown access token\"}");
            return;
        }
        String room = URLDecoder.decode(m.group(1), StandardCharsets.UTF_8);
        if (!room.equals(ROOM)) {
            answer(x, 403, "application/json", "{\"errcode\":\"M_FORBIDDEN\",\"error\":\"not in the room\"}");
            return;
        }
        JsonNode body = JSON.readTree(x.getRequestBody());
        if (!body.path("msgtype").isTextual() || !body.path("body").isTextual()) {
            answer(
                    x,
                    400,
                    "application/json",
                    "{\"errcode\":\"M_BAD_JSON\",\"error\":\"msgtype and body are required\"}");
            return;
        }
        String txn = m.group(2);
        String event = transactions.computeIfAbsent(txn, t -> {
            matrix.add(body);
            arrivedAt.putIfAbsent(body.path("body").asText(), System.currentTimeMillis());
            return "$" + Integer.toHexString(t.hashCode()) + ":matrix.test";
        });
        answer(x, 200, "application/json", "{\"event_id\":\"" + event + "\"}");
    }

    private static void answer(HttpExchange x, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().set("Content-Type", type);
        x.sendResponseHeaders(status, bytes.length);
        x.getResponseBody().write(bytes);
        x.close();
    }
}
