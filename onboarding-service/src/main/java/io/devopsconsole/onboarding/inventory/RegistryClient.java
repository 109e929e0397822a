package io.devopsconsole.onboarding.inventory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.devopsconsole.platform.problem.ConflictException;
import io.devopsconsole.platform.problem.InvalidFieldException;
import io.devopsconsole.platform.problem.Problem;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.ForbiddenException;
import jakarta.ws.rs.ServiceUnavailableException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * registry-service's API, called with the operator's own bearer token (so the registry applies
 * its rules and roles to the operator, and its audit names them): network-rule resolution and
 * target registration. The registry's 400/409 answers come back as ours, field names intact.
 */
@ApplicationScoped
public class RegistryClient {

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;
    private final ObjectMapper json;

    public RegistryClient(io.devopsconsole.onboarding.OnboardingConfig config, ObjectMapper json) {
        String base = config.registryUrl();
        this.base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
        this.json = json;
    }

    /** Which site, access path and tunnel the registry's network rules give this host, and why. */
    public Uni<JsonNode> resolve(String host, String token) {
        return send(
                HttpRequest.newBuilder(URI.create(base + "/api/network-rules/resolve?host="
                                + URLEncoder.encode(host, StandardCharsets.UTF_8)))
                        .GET(),
                token,
                "network-rule resolution");
    }

    /** Registers the target; the registry's answer (with its id) or its refusal. */
    public Uni<JsonNode> registerTarget(ObjectNode body, String token) {
        return send(
                HttpRequest.newBuilder(URI.create(base + "/api/ssh-targets"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(
                                // the registry encodes the text it receives (ADR 0014): forward the original, not our
                                // stored form
                                io.devopsconsole.platform.text.StoredText.decodeTree(body)
                                        .toString())),
                token,
                "target registration");
    }

    /** Whether the registry has the resource at {@code path} (e.g. {@code /api/sites/<id>}): 200 yes, 404 no. */
    public Uni<Boolean> exists(String path, String token, String what) {
        HttpRequest built = HttpRequest.newBuilder(URI.create(base + path))
                .GET()
                .header("Authorization", "Bearer " + token)
                .header("Accept", "application/json")
                .timeout(Duration.ofSeconds(15))
                .build();
        return Uni.createFrom()
                .completionStage(() -> http.sendAsync(built, HttpResponse.BodyHandlers.ofString()))
                .onFailure()
                .transform(f -> new ServiceUnavailableException("registry-service is not reachable for " + what))
                .map(response -> {
                    if (response.statusCode() == 404) {
                        return false;
                    }
                    answer(response, what);
                    return true;
                });
    }

    private Uni<JsonNode> send(HttpRequest.Builder request, String token, String what) {
        HttpRequest built = request.header("Authorization", "Bearer " + token)
                .header("Accept", "application/json")
                .timeout(Duration.ofSeconds(15))
                .build();
        return Uni.createFrom()
                .completionStage(() -> http.sendAsync(built, HttpResponse.BodyHandlers.ofString()))
                .onFailure()
                .transform(f -> new ServiceUnavailableException("registry-service is not reachable for " + what))
                .map(response -> answer(response, what));
    }

    private JsonNode answer(HttpResponse<String> response, String what) {
        JsonNode body;
        try {
            body = response.body() == null || response.body().isBlank()
                    ? json.createObjectNode()
                    : json.readTree(response.body());
        } catch (Exception e) {
            body = json.createObjectNode();
        }
        int status = response.statusCode();
        if (status >= 200 && status < 300) {
            return body;
        }
        String detail = body.path("detail").asText(what + " was refused by the registry (HTTP " + status + ")");
        if (status == 400) {
            List<Problem.FieldError> errors = new ArrayList<>();
            body.path("errors")
                    .forEach(e -> errors.add(new Problem.FieldError(
                            e.path("field").asText("(body)"), e.path("message").asText(detail))));
            throw errors.isEmpty() ? new InvalidFieldException("(body)", detail) : new InvalidFieldException(errors);
        }
        if (status == 409) {
            throw new ConflictException("name", "the registry refused: " + detail);
        }
        if (status == 403) {
            throw new ForbiddenException("the registry refused: " + detail);
        }
        throw new ServiceUnavailableException(what + " failed in the registry (HTTP " + status + ")");
    }
}
