package io.devopsconsole.console;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Stand-ins for the five services behind the proxy (and the test client's OIDC settings): each answers with what it received (service,
 * method, path and query, Authorization, body) as JSON, and session-service also streams SSE
 * whose second event waits for the test's signal (so a buffering proxy would show nothing).
 */
public class StubServices implements QuarkusTestResourceLifecycleManager {

    static final Map<String, CountDownLatch> RELEASE = new ConcurrentHashMap<>();
    private static final List<String> NAMES = List.of("registry", "session", "agent", "onboarding", "audit");
    private final List<HttpServer> servers = new java.util.ArrayList<>();

    @Override
    public Map<String, String> start() {
        // answer without Nagle's delay (the JDK server writes headers and body apart: ~40 ms each call otherwise)
        System.setProperty("sun.net.httpserver.nodelay", "true");
        Map<String, String> config = new HashMap<>();
        // the in-process OIDC provider's fixed test client, and a session-cookie key made for this run
        config.put("quarkus.oidc.credentials.secret", "secret");
        // 3 in tests; the stream-flood bench lifts it to hold hundreds of one user's streams at once
        config.put("devops.console.max-streams-per-user", System.getProperty("console.bench.max-streams", "3"));
        byte[] key = new byte[36];
        new java.security.SecureRandom().nextBytes(key);
        config.put(
                "quarkus.oidc.token-state-manager.encryption-secret",
                java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(key));
        try {
            for (String name : NAMES) {
                HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
                server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
                server.createContext("/", ex -> handle(name, ex));
                server.start();
                servers.add(server);
                config.put(
                        "devops.console.services." + name,
                        "http://127.0.0.1:" + server.getAddress().getPort());
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return config;
    }

    private static void handle(String name, HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getRawPath();
        if (name.equals("session") && path.endsWith("/stream")) {
            ex.getResponseHeaders().add("Content-Type", "text/event-stream");
            ex.sendResponseHeaders(200, 0);
            OutputStream out = ex.getResponseBody();
            out.write("id: 1\nevent: record\ndata: {\"n\":1}\n\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
            try {
                RELEASE.computeIfAbsent(
                                ex.getRequestURI().getQuery() == null
                                        ? ""
                                        : ex.getRequestURI().getQuery(),
                                k -> new CountDownLatch(1))
                        .await(Long.getLong("console.bench.stream-hold-seconds", 20), TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            out.write("id: 2\nevent: record\ndata: {\"n\":2}\n\n".getBytes(StandardCharsets.UTF_8));
            out.close();
            return;
        }
        byte[] body = ex.getRequestBody().readAllBytes();
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        String json = "{\"service\":\"" + name + "\",\"method\":\"" + ex.getRequestMethod() + "\",\"uri\":\""
                + ex.getRequestURI().toString().replace("\"", "\\\"") + "\",\"authorization\":\""
                + (auth == null ? "" : auth)
                + "\",\"csrf_header\":\"" + (ex.getRequestHeaders().getFirst("X-CSRF-Token") == null ? "" : "present")
                + "\",\"cookie\":\"" + (ex.getRequestHeaders().getFirst("Cookie") == null ? "" : "present")
                + "\",\"body\":"
                + (body.length == 0
                        ? "null"
                        : "\""
                                + new String(body, StandardCharsets.UTF_8)
                                        .replace("\\", "\\\\")
                                        .replace("\"", "\\\"") + "\"")
                + "}";
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        if (path.endsWith("/created")) {
            // as a service answers a create: its own internal address
            ex.getResponseHeaders()
                    .add("Location", "http://127.0.0.1:" + ex.getLocalAddress().getPort() + "/api/projects/p-1?v=2");
        }
        ex.sendResponseHeaders(path.endsWith("/created") ? 201 : 200, bytes.length);
        ex.getResponseBody().write(bytes);
        ex.close();
    }

    @Override
    public void stop() {
        servers.forEach(s -> s.stop(0));
    }
}
