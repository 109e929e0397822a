package io.devopsconsole.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An OpenID provider speaking the device authorization grant (RFC 8628) and the refresh grant, and a
 * console front door that sends an unsigned-in browser to it and answers /auth/me for a bearer token —
 * for the CLI's own tests. (The CLI against the real Keycloak runs in the browser test's stack.)
 */
final class FakeProvider implements AutoCloseable {

    final HttpServer server;
    final String base;
    final List<Map<String, String>> tokenRequests = new CopyOnWriteArrayList<>();
    final AtomicInteger pendingAnswers = new AtomicInteger(2);
    final AtomicInteger issued = new AtomicInteger();
    volatile int accessLifetime = 120;
    volatile boolean refuseRefresh;

    FakeProvider() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        base = "http://127.0.0.1:" + server.getAddress().getPort();
        server.createContext(
                "/realms/r/.well-known/openid-configuration",
                ex -> json(
                        ex,
                        200,
                        "{\"issuer\":\"" + base
                                + "/realms/r\",\"device_authorization_endpoint\":\"" + base
                                + "/realms/r/device\",\"token_endpoint\":\"" + base
                                + "/realms/r/token\",\"revocation_endpoint\":\"" + base + "/realms/r/revoke\"}"));
        server.createContext("/realms/r/device", ex -> {
            Map<String, String> f = form(ex);
            if (!"devops-cli".equals(f.get("client_id"))) {
                json(ex, 401, "{\"error\":\"invalid_client\"}");
                return;
            }
            json(
                    ex,
                    200,
                    "{\"device_code\":\"dev-1\",\"user_code\":\"WDJB-MJHT\",\"verification_uri\":\"" + base
                            + "/realms/r/device\",\"verification_uri_complete\":\"" + base
                            + "/realms/r/device?user_code=WDJB-MJHT\",\"expires_in\":60,\"interval\":1}");
        });
        server.createContext("/realms/r/token", ex -> {
            Map<String, String> f = form(ex);
            tokenRequests.add(f);
            if (f.get("grant_type").equals("urn:ietf:params:oauth:grant-type:device_code")) {
                if (pendingAnswers.getAndDecrement() > 0) {
                    json(ex, 400, "{\"error\":\"authorization_pending\"}");
                    return;
                }
                tokens(ex);
            } else if (f.get("grant_type").equals("refresh_token")) {
                if (refuseRefresh || !f.get("refresh_token").startsWith("refresh-")) {
                    json(ex, 400, "{\"error\":\"invalid_grant\",\"error_description\":\"Session not active\"}");
                    return;
                }
                tokens(ex);
            } else {
                json(ex, 400, "{\"error\":\"unsupported_grant_type\"}");
            }
        });
        server.createContext("/realms/r/revoke", ex -> {
            tokenRequests.add(form(ex));
            json(ex, 200, "");
        });
        server.createContext("/auth/me", ex -> {
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            if (auth == null) {
                ex.getResponseHeaders()
                        .add(
                                "Location",
                                base + "/realms/r/protocol/openid-connect/auth?client_id=devops-console&state=x");
                ex.sendResponseHeaders(302, -1);
                ex.close();
                return;
            }
            if (!auth.equals("Bearer access-" + issued.get())) {
                json(ex, 401, "{\"status\":401,\"detail\":\"log in first\"}");
                return;
            }
            json(ex, 200, "{\"name\":\"carl\",\"roles\":[\"operator\",\"viewer\"],\"csrf_token\":\"t\"}");
        });
        server.start();
    }

    String issuer() {
        return base + "/realms/r";
    }

    private void tokens(HttpExchange ex) throws IOException {
        int n = issued.incrementAndGet();
        json(
                ex,
                200,
                "{\"access_token\":\"access-" + n + "\",\"expires_in\":" + accessLifetime
                        + ",\"refresh_token\":\"refresh-" + n
                        + "\",\"refresh_expires_in\":1800,\"token_type\":\"Bearer\"}");
    }

    static Map<String, String> form(HttpExchange ex) throws IOException {
        Map<String, String> out = new HashMap<>();
        String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                out.put(pair.substring(0, eq), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    static void json(HttpExchange ex, int status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(status, b.length == 0 ? -1 : b.length);
        if (b.length > 0) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(b);
            }
        }
        ex.close();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
