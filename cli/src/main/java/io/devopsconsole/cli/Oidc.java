package io.devopsconsole.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * The CLI's side of OpenID Connect against the installation's identity provider: the device
 * authorization grant (RFC 8628) to sign in — the user approves the code in a browser, anywhere —
 * and the refresh grant to keep an access token (they live two minutes) without asking again.
 * Only the provider's discovery document is trusted for endpoint addresses.
 */
public final class Oidc {

    private final HttpClient http;
    private final String issuer;
    private final String clientId;
    private JsonNode discovery;

    public Oidc(HttpClient http, String issuer, String clientId) {
        this.http = http;
        this.issuer = issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer;
        this.clientId = clientId;
    }

    public String issuer() {
        return issuer;
    }

    JsonNode discovery() {
        if (discovery == null) {
            HttpResponse<String> r =
                    send(HttpRequest.newBuilder(URI.create(issuer + "/.well-known/openid-configuration"))
                            .timeout(Duration.ofSeconds(15))
                            .GET()
                            .build());
            if (r.statusCode() != 200) {
                throw new CliException(
                        CliException.UNAVAILABLE,
                        "the identity provider at " + issuer + " answered " + r.statusCode()
                                + " for its configuration");
            }
            discovery = parse(r.body());
            if (!issuer.equals(discovery.path("issuer").asText())) {
                throw new CliException(
                        CliException.UNAVAILABLE,
                        "the identity provider calls itself "
                                + discovery.path("issuer").asText() + ", not " + issuer);
            }
        }
        return discovery;
    }

    /**
     * Signs in with the device authorization grant: asks for a code, tells the user where to approve it,
     * polls until approved (honouring the provider's interval and slow_down), refused or expired.
     */
    public ObjectNode deviceLogin(PrintStream say) {
        String endpoint = discovery().path("device_authorization_endpoint").asText(null);
        if (endpoint == null) {
            throw new CliException(
                    CliException.UNAVAILABLE, "the identity provider offers no device authorization endpoint");
        }
        JsonNode code = form(endpoint, Map.of("client_id", clientId, "scope", "openid"));
        if (code.has("error")) {
            throw new CliException(
                    CliException.REFUSED,
                    "the identity provider refused a device code for client " + clientId + ": " + describe(code)
                            + " (is the device grant enabled for it?)");
        }
        String userCode = code.path("user_code").asText();
        String complete = code.path("verification_uri_complete").asText(null);
        say.println("To sign in, open this address in a browser:");
        say.println();
        say.println("    "
                + Inert.cell(
                        complete != null
                                ? complete
                                : code.path("verification_uri").asText()));
        say.println();
        say.println("and check that it shows the code " + Inert.cell(userCode) + ". Waiting for the approval…");
        say.flush();
        long interval = Math.max(1, code.path("interval").asLong(5));
        Instant deadline = Instant.now().plusSeconds(code.path("expires_in").asLong(600));
        String tokenEndpoint = discovery().path("token_endpoint").asText();
        while (Instant.now().isBefore(deadline)) {
            sleep(Duration.ofSeconds(interval));
            JsonNode t = form(
                    tokenEndpoint,
                    Map.of(
                            "grant_type",
                            "urn:ietf:params:oauth:grant-type:device_code",
                            "device_code",
                            code.path("device_code").asText(),
                            "client_id",
                            clientId));
            String error = t.path("error").asText("");
            switch (error) {
                case "" -> {
                    return tokens(t);
                }
                case "authorization_pending" -> {}
                case "slow_down" -> interval += 5;
                case "access_denied" -> throw new CliException(CliException.REFUSED, "the sign-in was denied");
                case "expired_token" ->
                    throw new CliException(
                            CliException.REFUSED, "the code expired before it was approved; run devops login again");
                default -> throw new CliException(CliException.REFUSED, "the sign-in failed: " + describe(t));
            }
        }
        throw new CliException(CliException.REFUSED, "the code expired before it was approved; run devops login again");
    }

    /** New tokens for a refresh token; a refusal (user disabled, session ended) means signing in again. */
    public ObjectNode refresh(String refreshToken) {
        JsonNode t = form(
                discovery().path("token_endpoint").asText(),
                Map.of("grant_type", "refresh_token", "refresh_token", refreshToken, "client_id", clientId));
        if (t.has("error")) {
            throw new CliException(
                    CliException.SIGN_IN, "the sign-in has ended (" + describe(t) + "); run devops login");
        }
        return tokens(t);
    }

    /** Ends the provider's session of this refresh token (best effort: the local file goes anyway). */
    public boolean revoke(String refreshToken) {
        String endpoint = discovery().path("revocation_endpoint").asText(null);
        if (endpoint == null) {
            return false;
        }
        JsonNode r = form(
                endpoint, Map.of("token", refreshToken, "token_type_hint", "refresh_token", "client_id", clientId));
        return !r.has("error");
    }

    private static ObjectNode tokens(JsonNode t) {
        ObjectNode out = Store.JSON.createObjectNode();
        long now = Instant.now().getEpochSecond();
        out.put("access_token", t.path("access_token").asText());
        out.put("expires_at", now + t.path("expires_in").asLong(60));
        if (t.hasNonNull("refresh_token")) {
            out.put("refresh_token", t.path("refresh_token").asText());
            long refreshIn = t.path("refresh_expires_in").asLong(0);
            if (refreshIn > 0) {
                out.put("refresh_expires_at", now + refreshIn);
            }
        }
        return out;
    }

    private JsonNode form(String endpoint, Map<String, String> fields) {
        String body = Api.encoded(fields);
        HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(endpoint))
                .timeout(Duration.ofSeconds(15))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build());
        if (r.statusCode() >= 500) {
            throw new CliException(
                    CliException.UNAVAILABLE, "the identity provider failed (" + r.statusCode() + ") at " + endpoint);
        }
        if (r.body() == null || r.body().isBlank()) {
            return Store.JSON.createObjectNode();
        }
        return parse(r.body());
    }

    private HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new CliException(
                    CliException.UNAVAILABLE,
                    "cannot reach the identity provider at " + request.uri().getHost() + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(CliException.UNAVAILABLE, "interrupted");
        }
    }

    private static JsonNode parse(String body) {
        try {
            return Store.JSON.readTree(body);
        } catch (IOException e) {
            throw new CliException(
                    CliException.UNAVAILABLE, "the identity provider answered something other than JSON");
        }
    }

    private static String describe(JsonNode error) {
        String d = error.path("error_description").asText("");
        return Inert.cell(error.path("error").asText("error") + (d.isEmpty() ? "" : ": " + d));
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(CliException.REFUSED, "interrupted");
        }
    }
}
