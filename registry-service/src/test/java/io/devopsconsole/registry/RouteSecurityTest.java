package io.devopsconsole.registry;

import io.devopsconsole.testkit.RouteSecurity;
import io.devopsconsole.testkit.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/** Every route in the OpenAPI document needs a token and a role; only operability routes are open. */
@QuarkusTest
class RouteSecurityTest {

    /** Routes a viewer may call; every other route needs at least operator. */
    static final Set<String> VIEWER_ROUTES = Set.of("GET /api/projects", "GET /api/projects/{id}");

    @Test
    void theDocumentListsTheProjectRoutes() {
        assertThat(RouteSecurity.routes()).extracting(Object::toString).contains(
                "POST /api/projects", "GET /api/projects", "GET /api/projects/{id}", "PUT /api/projects/{id}",
                "POST /api/projects/{id}/archive");
    }

    @TestFactory
    Stream<DynamicTest> everyRouteAnswers401WithoutAToken() {
        return RouteSecurity.routes().stream().map(route -> DynamicTest.dynamicTest(route.toString(), () ->
                given().contentType("application/json").body("{}")
                        .request(route.method(), route.path())
                        .then().statusCode(401)));
    }

    @TestFactory
    Stream<DynamicTest> everyRouteAnswers403ToATokenWithoutARole() {
        String token = Tokens.noRole();
        return RouteSecurity.routes().stream().map(route -> DynamicTest.dynamicTest(route.toString(), () ->
                given().auth().oauth2(token).contentType("application/json").body("{}")
                        .request(route.method(), route.path())
                        .then().statusCode(403)));
    }

    @TestFactory
    Stream<DynamicTest> viewersMayOnlyRead() {
        String token = Tokens.viewer();
        return RouteSecurity.routes().stream().filter(r -> !VIEWER_ROUTES.contains(r.toString()))
                .map(route -> DynamicTest.dynamicTest(route.toString(), () ->
                        given().auth().oauth2(token).contentType("application/json").body("{}")
                                .request(route.method(), route.path())
                                .then().statusCode(403)));
    }

    @Test
    void healthMetricsAndOpenApiAreOpen() {
        for (String path : List.of("/q/health/live", "/q/health/ready", "/q/metrics", "/q/openapi")) {
            given().get(path).then().statusCode(200);
        }
    }

    @Test
    void anInvalidTokenIsRejected() {
        given().auth().oauth2("not-a-jwt").get("/api/projects").then().statusCode(401);
    }
}
