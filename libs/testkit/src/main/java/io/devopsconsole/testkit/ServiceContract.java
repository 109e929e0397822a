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

    @Test
    void flywayCreatedTheServiceSchemaWithOutboxAndProcessedEvents() {
        assertThat(Sql.rows("SELECT table_name FROM information_schema.tables WHERE table_schema = ?", schema()))
                .extracting(r -> r.get("table_name"))
                .contains("outbox_event", "processed_event", "flyway_schema_history");
    }
}
