package io.devopsconsole.testkit;

import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

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
        given().get("/q/health/ready").then().statusCode(200)
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
        given().get("/q/metrics").then().statusCode(200)
                .body(containsString("outbox_events_published_total"))
                .body(containsString("jvm_memory_used_bytes"));
    }

    @Test
    void openApiAndSwaggerUiAreServed() {
        given().get("/q/openapi").then().statusCode(200).body(containsString("openapi:"));
        given().get("/q/swagger-ui/").then().statusCode(200);
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
        java.util.List<String> bodies = java.util.List.of(deep, "{\"details\":" + deep + "}", "{\"value\":" + digits + "}",
                "{\"details\":{\"n\":" + digits + "}}", "{\"text\":\"a\\u0000b\\ud800\",\"details\":" + deep + "}");
        return RouteSecurity.routes().stream().filter(r -> r.takesBody()
                        && java.util.Set.of("post", "put", "patch").contains(r.method()))
                .map(r -> org.junit.jupiter.api.DynamicTest.dynamicTest(r.toString(), () -> {
                    for (String body : bodies) {
                        int status = given().auth().oauth2(Tokens.admin()).contentType("application/json").body(body)
                                .request(r.method(), r.path()).then().extract().statusCode();
                        assertThat(status).as(r + " with " + body.substring(0, Math.min(40, body.length())) + "…")
                                .isBetween(400, 499);
                    }
                }));
    }

    @Test
    void flywayCreatedTheServiceSchemaWithOutboxAndProcessedEvents() {
        assertThat(Sql.rows("SELECT table_name FROM information_schema.tables WHERE table_schema = ?", schema()))
                .extracting(r -> r.get("table_name"))
                .contains("outbox_event", "processed_event", "flyway_schema_history");
    }
}
