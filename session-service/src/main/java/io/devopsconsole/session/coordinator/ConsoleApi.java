package io.devopsconsole.session.coordinator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import io.devopsconsole.platform.text.StoredText;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The console's own APIs as the coordinator's tools call them: always with the operator's bearer
 * token, so each service applies its own roles, validators, production gate and audit to the
 * operator exactly as for any other client. Bodies are JSON built by the tool (never text the
 * model or the operator wrote into a command line); paths are fixed, with ids as UUIDs only.
 */
@ApplicationScoped
public class ConsoleApi {

    /** The services a tool may call. */
    public enum Service {
        REGISTRY,
        ONBOARDING,
        AUDIT,
        SESSION
    }

    /** A service's answer: status and JSON body ({@code null} node when there was none or it was not JSON). */
    public record Answer(int status, JsonNode body) {
        public boolean ok() {
            return status >= 200 && status < 300;
        }

        /** What a refusal says: the problem's detail and the fields it names. */
        public String problem() {
            if (body == null || body.isNull() || !body.isObject()) {
                return "HTTP " + status;
            }
            StringBuilder out = new StringBuilder();
            out.append(body.path("detail").asText(body.path("title").asText("HTTP " + status)));
            for (JsonNode e : body.path("errors")) {
                // a field error the detail already says is not said twice
                String message = e.path("message").asText("");
                if (!message.isEmpty() && out.indexOf(message) >= 0) {
                    continue;
                }
                out.append("; ")
                        .append(e.path("field").asText(e.path("name").asText("")))
                        .append(' ')
                        .append(message);
            }
            return out.toString().strip();
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Map<Service, String> bases;
    private final Duration timeout;

    public ConsoleApi(CoordinatorConfig config) {
        this.bases = Map.of(
                Service.REGISTRY, trim(config.registryUrl()),
                Service.ONBOARDING, trim(config.onboardingUrl()),
                Service.AUDIT, trim(config.auditUrl()));
        this.timeout = config.toolTimeout();
    }

    /** This service's own address is read when first needed: a random (test) port is known only once it listens. */
    private String base(Service service) {
        if (service != Service.SESSION) {
            return bases.get(service);
        }
        return trim(org.eclipse.microprofile.config.ConfigProvider.getConfig()
                .getValue("devops.coordinator.session-url", String.class));
    }

    private static String trim(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    /** Calls {@code method path} on the service with the operator's token; a transport failure is a 503 answer. */
    public CompletableFuture<Answer> call(Service service, String method, String path, JsonNode body, String token) {
        return call(service, method, path, body, token, null);
    }

    /**
     * As {@link #call(Service, String, String, JsonNode, String)}, saying which conversation the call came
     * from ({@code Via}): the events it causes carry it into the audit trail.
     */
    public CompletableFuture<Answer> call(
            Service service, String method, String path, JsonNode body, String token, java.util.UUID conversation) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base(service) + path))
                .timeout(timeout)
                .header("Authorization", "Bearer " + token)
                .header("Accept", "application/json");
        if (conversation != null) {
            request.header(
                    io.devopsconsole.platform.security.Via.HEADER,
                    io.devopsconsole.platform.security.Via.coordinator(conversation));
        }
        if (body == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            // the services encode the text they receive (ADR 0014): send the original characters
            request.header("Content-Type", "application/json")
                    .method(
                            method,
                            HttpRequest.BodyPublishers.ofString(
                                    StoredText.decodeTree(body).toString()));
        }
        return http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString())
                .thenApply(response -> new Answer(response.statusCode(), parse(response.body())))
                .exceptionally(failure -> new Answer(
                        503,
                        JSON.createObjectNode()
                                .put(
                                        "detail",
                                        service.name().toLowerCase(java.util.Locale.ROOT)
                                                + "-service did not answer ("
                                                + failure.getClass().getSimpleName() + ")")));
    }

    private static JsonNode parse(String text) {
        if (text == null || text.isBlank()) {
            return NullNode.getInstance();
        }
        try {
            return JSON.readTree(text);
        } catch (java.io.IOException e) {
            return NullNode.getInstance();
        }
    }
}
