package io.devopsconsole.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.restassured.RestAssured;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Enumerates every operation in the service's own OpenAPI document, so a route added without a
 * role check cannot slip past the security tests.
 */
public final class RouteSecurity {

    private static final Set<String> METHODS = Set.of("get", "post", "put", "patch", "delete");

    /** One route, with path parameters filled with a syntactically valid placeholder; whether it declares a request body. */
    public record Route(String method, String template, String path, boolean takesBody) {
        @Override
        public String toString() {
            return method.toUpperCase() + " " + template;
        }
    }

    private RouteSecurity() {}

    public static List<Route> routes() {
        String json = RestAssured.given()
                .accept("application/json")
                .get("/q/openapi?format=json")
                .asString();
        try {
            JsonNode paths = new ObjectMapper().readTree(json).path("paths");
            List<Route> routes = new ArrayList<>();
            Iterator<Map.Entry<String, JsonNode>> it = paths.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> entry = it.next();
                String concrete = entry.getKey().replaceAll("\\{[^}]+}", "00000000-0000-0000-0000-000000000000");
                entry.getValue().fieldNames().forEachRemaining(method -> {
                    if (METHODS.contains(method)) {
                        boolean body = entry.getValue().path(method).has("requestBody");
                        routes.add(new Route(method, entry.getKey(), concrete, body));
                    }
                });
            }
            return routes;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
