package io.devopsconsole.testkit;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import org.junit.jupiter.api.Test;

/**
 * What every service is from day one: live and ready only with its database and Kafka reachable,
 * Prometheus metrics, an OpenAPI document and Swagger UI, and its own schema migrated by Flyway.
 * A service test extends this with {@code @QuarkusTest}.
 */
public abstract class ServiceContract {

    /** The service's own PostgreSQL schema. */
    protected abstract String schema();

    @Test
    void readinessChecksTheDatabaseAndKafka() {
        given().get("/q/health/ready")
                .then()
                .statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItem(containsString("PostgreSQL")))
                .body("checks.name", hasItem(containsString("Kafka")));
    }

    @Test
    void livenessIsUp() {
        given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
    }

    @Test
    void prometheusMetricsIncludeTheOutboxRelay() {
        given().get("/q/metrics")
                .then()
                .statusCode(200)
                .body(containsString("outbox_events_published_total"))
                .body(containsString("jvm_memory_used_bytes"));
    }

    @Test
    void openApiAndSwaggerUiAreServed() {
        given().get("/q/openapi").then().statusCode(200).body(containsString("openapi:"));
        given().get("/q/swagger-ui/").then().statusCode(200);
    }

    /**
     * The OpenAPI document speaks the wire's language: property names in snake_case like the JSON,
     * no Java or Jackson internals as schemas, every operation's errors as problem+json, streams as
     * text; and every answer these tests receive is checked against it ({@link OpenApiValidation}).
     */
    @Test
    void theOpenApiDocumentDescribesTheWire() {
        assertThat(io.restassured.RestAssured.filters())
                .as("every answer is validated against the document")
                .anyMatch(f -> f instanceof OpenApiValidation);
        io.restassured.path.json.JsonPath doc = given().get("/q/openapi?format=json")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
        java.util.Map<String, java.util.Map<String, Object>> schemas = doc.getMap("components.schemas");
        assertThat(schemas)
                .containsKey("Problem")
                .doesNotContainKeys(
                        "JsonNode", "ObjectNode", "OutboundSseEvent", "MediaType", "MultivaluedMapStringObject");
        java.util.List<String> camel = new java.util.ArrayList<>();
        schemas.forEach((name, schema) -> {
            Object properties = schema.get("properties");
            if (properties instanceof java.util.Map<?, ?> map) {
                map.keySet().stream()
                        .map(Object::toString)
                        .filter(p -> !p.matches("[a-z0-9_]+"))
                        .forEach(p -> camel.add(name + "." + p));
            }
        });
        assertThat(camel).as("property names that are not snake_case").isEmpty();
        java.util.Map<String, java.util.Map<String, java.util.Map<String, Object>>> paths = doc.getMap("paths");
        paths.forEach((path, item) -> item.forEach((method, operation) -> {
            if (!path.startsWith("/api/")) {
                return;
            }
            @SuppressWarnings("unchecked")
            java.util.Map<String, Object> responses = (java.util.Map<String, Object>) operation.get("responses");
            assertThat(responses).as(method + " " + path).containsKeys("401", "403");
            responses.forEach((status, response) -> {
                if (status.toString().startsWith("4") && !status.equals("401")) {
                    Object content = ((java.util.Map<?, ?>) response).get("content");
                    assertThat(content instanceof java.util.Map<?, ?> m && m.containsKey("application/problem+json"))
                            .as(method + " " + path + " " + status + " answers problem+json")
                            .isTrue();
                }
            });
        }));
    }

    /**
     * JSON beyond the reader's limits (nesting deeper than 1,000 levels, a 2,000-digit number, either
     * inside a value the service reads as a tree) and text with NUL or unpaired surrogates: every write
     * route answers 4xx, never 5xx.
     */
    @org.junit.jupiter.api.TestFactory
    java.util.stream.Stream<org.junit.jupiter.api.DynamicTest> everyWriteRouteAnswersHostileJsonWithA4xx() {
        String deep = "[".repeat(2_000) + "]".repeat(2_000);
        String digits = "9".repeat(2_000);
        java.util.List<String> bodies = java.util.List.of(
                deep,
                "{\"details\":" + deep + "}",
                "{\"value\":" + digits + "}",
                "{\"details\":{\"n\":" + digits + "}}",
                "{\"text\":\"a\\u0000b\\ud800\",\"details\":" + deep + "}");
        return RouteSecurity.routes().stream()
                .filter(r -> r.takesBody()
                        && java.util.Set.of("post", "put", "patch").contains(r.method()))
                .map(r -> org.junit.jupiter.api.DynamicTest.dynamicTest(r.toString(), () -> {
                    for (String body : bodies) {
                        int status = given().auth()
                                .oauth2(Tokens.admin())
                                .contentType("application/json")
                                .body(body)
                                .request(r.method(), r.path())
                                .then()
                                .extract()
                                .statusCode();
                        assertThat(status)
                                .as(r + " with " + body.substring(0, Math.min(40, body.length())) + "…")
                                .isBetween(400, 499);
                    }
                }));
    }

    /**
     * A client that sends a body's first bytes and then drips (or stalls) is answered 408
     * problem+json once the body read timeout (3 s in tests) passes, and disconnected: it cannot hold
     * a connection and a request for as long as it likes. (A service whose routes read no body
     * answers such a request at once, without waiting for the body.)
     */
    @Test
    void aBodyThatDoesNotArriveInTimeIsAnswered408() throws Exception {
        RouteSecurity.Route route = RouteSecurity.routes().stream()
                .filter(r -> r.method().equals("post"))
                .sorted(java.util.Comparator.comparing(r -> !r.takesBody()))
                .findFirst()
                .orElseThrow();
        java.net.URI base =
                java.net.URI.create(io.restassured.RestAssured.baseURI + ":" + io.restassured.RestAssured.port);
        try (java.net.Socket socket = new java.net.Socket(base.getHost(), base.getPort())) {
            socket.setSoTimeout(15_000);
            String head = "POST " + route.path() + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
                    + Tokens.admin() + "\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"na";
            long started = System.nanoTime();
            socket.getOutputStream().write(head.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            socket.getOutputStream().flush();
            java.io.InputStream in = socket.getInputStream();
            String status = new java.io.BufferedReader(
                            new java.io.InputStreamReader(in, java.nio.charset.StandardCharsets.UTF_8))
                    .readLine();
            long waited = java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            if (route.takesBody()) {
                assertThat(status).as(route + " with a body that never arrives").startsWith("HTTP/1.1 408");
                assertThat(waited).as("answered after the timeout").isBetween(2_500L, 12_000L);
                // and the connection is closed: the rest of the answer, then the end of the stream
                assertThat(in.readAllBytes()).isNotNull();
            } else {
                assertThat(status)
                        .as(route + " (reads no body)")
                        .startsWith("HTTP/1.1 ")
                        .doesNotStartWith("HTTP/1.1 408");
                assertThat(waited).as("answered without waiting for the body").isLessThan(2_500L);
            }
        }
    }

    /** Made-up paths asked for without a token (401) do not each become a metric series: the series stay bounded by the routes. */
    @Test
    void unauthenticatedJunkPathsDoNotCreateMetricSeries() {
        String marker = "junk" + java.util.UUID.randomUUID().toString().substring(0, 8);
        for (int i = 0; i < 20; i++) {
            given().get("/api/" + marker + "/" + i).then().statusCode(401);
        }
        String metrics =
                given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(metrics).doesNotContain(marker);
        assertThat(metrics).contains("uri=\"UNAUTHENTICATED\"");
    }

    @Test
    void flywayCreatedTheServiceSchemaWithOutboxAndProcessedEvents() {
        assertThat(Sql.rows("SELECT table_name FROM information_schema.tables WHERE table_schema = ?", schema()))
                .extracting(r -> r.get("table_name"))
                .contains("outbox_event", "processed_event", "flyway_schema_history");
    }
}
