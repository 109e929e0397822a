package io.devopsconsole.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The console's API through its front door, with the signed-in user's access token ({@code
 * Authorization: Bearer}); refreshed (and saved) when it has less than 30 s to live. A refusal comes
 * back as the service's problem+json, told in words with the fields it names.
 */
public final class Api {

    static final Duration SKEW = Duration.ofSeconds(30);

    private final HttpClient http;
    private final Store store;
    private ObjectNode login;
    private Oidc oidc;

    public Api(HttpClient http, Store store) {
        this.http = http;
        this.store = store;
    }

    public static HttpClient client() {
        return HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    HttpClient http() {
        return http;
    }

    Store store() {
        return store;
    }

    /** Forgets what was read from the store (after a new sign-in). */
    void reset() {
        login = null;
        oidc = null;
    }

    ObjectNode login() {
        if (login == null) {
            try {
                login = store.read();
            } catch (IOException e) {
                throw new CliException(CliException.SIGN_IN, "cannot read " + store.file() + ": " + e.getMessage());
            }
            if (login == null || !login.hasNonNull("console")) {
                throw new CliException(CliException.SIGN_IN, "not signed in; run devops login --console URL");
            }
        }
        return login;
    }

    public String console() {
        return login().path("console").asText();
    }

    private String where() {
        return login == null
                ? "the console"
                : "the console at " + login.path("console").asText();
    }

    Oidc oidc() {
        if (oidc == null) {
            oidc = new Oidc(
                    http,
                    login().path("issuer").asText(),
                    login().path("client_id").asText("devops-cli"));
        }
        return oidc;
    }

    /** A current access token: the saved one, or a refreshed one (saved for the next run). */
    public synchronized String token() {
        ObjectNode l = login();
        long now = Instant.now().getEpochSecond();
        if (l.hasNonNull("access_token") && l.path("expires_at").asLong(0) - SKEW.getSeconds() > now) {
            return l.path("access_token").asText();
        }
        if (!l.hasNonNull("refresh_token")
                || (l.has("refresh_expires_at") && l.path("refresh_expires_at").asLong() <= now)) {
            throw new CliException(CliException.SIGN_IN, "the sign-in has ended; run devops login");
        }
        ObjectNode fresh = oidc().refresh(l.path("refresh_token").asText());
        l.setAll(fresh);
        try {
            store.write(l);
        } catch (IOException e) {
            throw new CliException(CliException.SIGN_IN, "cannot save the refreshed sign-in: " + e.getMessage());
        }
        return l.path("access_token").asText();
    }

    public JsonNode get(String path) {
        return call("GET", path, null);
    }

    public JsonNode post(String path, Object body) {
        return call("POST", path, body == null ? Store.JSON.createObjectNode() : body);
    }

    /** A POST whose body is a file, sent as it is with its media type. */
    public JsonNode upload(String path, byte[] content, String mediaType) {
        HttpRequest request = request("POST", path, null)
                .setHeader("Content-Type", mediaType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(content))
                .build();
        HttpResponse<String> r = send(request, HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) {
            throw refusal(r.statusCode(), r.body(), path);
        }
        try {
            return Store.JSON.readTree(r.body());
        } catch (IOException e) {
            throw new CliException(
                    CliException.UNAVAILABLE, "the console answered " + path + " with something other than JSON");
        }
    }

    public JsonNode delete(String path) {
        return call("DELETE", path, null);
    }

    /** A GET whose body is streamed to the caller (exports); refusals are told like any other. */
    public InputStream download(String path) {
        HttpResponse<InputStream> r =
                send(request("GET", path, null).build(), HttpResponse.BodyHandlers.ofInputStream());
        if (r.statusCode() / 100 != 2) {
            String text;
            try (InputStream in = r.body()) {
                text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                text = "";
            }
            throw refusal(r.statusCode(), text, path);
        }
        return r.body();
    }

    JsonNode call(String method, String path, Object body) {
        HttpResponse<String> r = send(request(method, path, body).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) {
            throw refusal(r.statusCode(), r.body(), path);
        }
        if (r.body() == null || r.body().isBlank()) {
            return Store.JSON.nullNode();
        }
        try {
            return Store.JSON.readTree(r.body());
        } catch (IOException e) {
            throw new CliException(
                    CliException.UNAVAILABLE, "the console answered " + path + " with something other than JSON");
        }
    }

    HttpRequest.Builder request(String method, String path, Object body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(console() + path))
                .timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + token())
                .header("Accept", "application/json");
        if (body != null) {
            try {
                b.header("Content-Type", "application/json")
                        .method(method, HttpRequest.BodyPublishers.ofByteArray(Store.JSON.writeValueAsBytes(body)));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        return b;
    }

    <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
        try {
            return http.send(request, handler);
        } catch (IOException e) {
            throw new CliException(CliException.UNAVAILABLE, "cannot reach " + where() + ": " + describe(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(CliException.UNAVAILABLE, "interrupted");
        }
    }

    static String describe(IOException e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    /** A refusal in words: the problem's detail and each field it names. */
    static CliException refusal(int status, String body, String path) {
        String detail = null;
        StringBuilder fields = new StringBuilder();
        try {
            JsonNode p = body == null || body.isBlank() ? null : Store.JSON.readTree(body);
            if (p != null) {
                detail = p.path("detail").asText(null);
                for (JsonNode e : p.path("errors")) {
                    if (detail != null && detail.contains(e.path("message").asText("\u0000"))) {
                        continue; // the detail says it already
                    }
                    fields.append("\n  ")
                            .append(Inert.cell(e.path("field").asText()))
                            .append(": ")
                            .append(Inert.cell(e.path("message").asText()));
                }
            }
        } catch (IOException e) {
            // not a problem document
        }
        String what = detail == null ? "HTTP " + status + " for " + path : Inert.cell(detail);
        int code = status == 401
                ? CliException.SIGN_IN
                : status >= 500 || status == 499 ? CliException.UNAVAILABLE : CliException.REFUSED;
        String prefix = status == 401 ? "not signed in (" + what + "); run devops login" : what;
        return new CliException(code, (status == 401 ? prefix : status + ": " + prefix) + fields, status);
    }

    /** A query string from the given pairs, leaving out empty values. */
    public static String query(Map<String, ?> pairs) {
        String q = encoded(pairs);
        return q.isEmpty() ? "" : "?" + q;
    }

    /** {@code name=value&…}, URL-encoded, without the empty values (a query string or a form body). */
    static String encoded(Map<String, ?> pairs) {
        return pairs.entrySet().stream()
                .filter(e -> e.getValue() != null && !e.getValue().toString().isEmpty())
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(e.getValue().toString(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }

    public static String seg(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
