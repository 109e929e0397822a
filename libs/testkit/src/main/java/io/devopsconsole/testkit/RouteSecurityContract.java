package io.devopsconsole.testkit;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The security contract every service proves: each route of its OpenAPI document answers 401
 * without a token and 403 to a token without a role, viewers can only read, and only health,
 * metrics and OpenAPI are open. A service test extends this with {@code @QuarkusTest}.
 */
public abstract class RouteSecurityContract {

    /** Routes ("METHOD /template") the service must expose; proves the enumeration sees them. */
    protected Set<String> expectedRoutes() {
        return Set.of();
    }

    /** Routes an operator may not call (approver or admin only). */
    protected Set<String> approverRoutes() {
        return Set.of();
    }

    /** Routes only an admin may call. */
    protected Set<String> adminRoutes() {
        return Set.of();
    }

    /**
     * Writes a viewer may make because they change nothing of the console's (a viewer's own coordinator
     * conversation: what its tools may do is decided by the APIs they call, with the viewer's token).
     */
    protected Set<String> viewerWriteRoutes() {
        return Set.of();
    }

    @Test
    void theOpenApiDocumentListsTheExpectedRoutes() {
        assertThat(RouteSecurity.routes()).extracting(Object::toString).containsAll(expectedRoutes());
    }

    @TestFactory
    Stream<DynamicTest> everyRouteAnswers401WithoutAToken() {
        return RouteSecurity.routes().stream()
                .map(route -> DynamicTest.dynamicTest(
                        route.toString(),
                        () -> given().contentType("application/json")
                                .body("{}")
                                .request(route.method(), route.path())
                                .then()
                                .statusCode(401)));
    }

    @TestFactory
    Stream<DynamicTest> everyRouteAnswers403ToATokenWithoutARole() {
        String token = Tokens.noRole();
        return RouteSecurity.routes().stream()
                .map(route -> DynamicTest.dynamicTest(
                        route.toString(),
                        () -> given().auth()
                                .oauth2(token)
                                .contentType("application/json")
                                .body("{}")
                                .request(route.method(), route.path())
                                .then()
                                .statusCode(403)));
    }

    /** Roles count only as realm roles: a Keycloak group named "admin", or client roles, grant nothing. */
    @TestFactory
    Stream<DynamicTest> rolesFromGroupsOrClientRolesGrantNothing() {
        String groups = Tokens.rolesOnlyAsGroups();
        String clientRoles = Tokens.rolesOnlyAsClientRoles();
        return RouteSecurity.routes().stream()
                .map(route -> DynamicTest.dynamicTest(route.toString(), () -> {
                    for (String token : List.of(groups, clientRoles)) {
                        given().auth()
                                .oauth2(token)
                                .contentType("application/json")
                                .body("{}")
                                .request(route.method(), route.path())
                                .then()
                                .statusCode(403);
                    }
                }));
    }

    /**
     * Only access tokens for our audience, within their lifespan, authenticate: an admin's token
     * issued to another client (admin-cli), an ID token and a token past its lifespan (all a
     * disabled user still holds) are answered 401.
     */
    @TestFactory
    Stream<DynamicTest> tokensNotMeantForUsAreRefused() {
        Map<String, String> tokens = Map.of(
                "another client's access token", Tokens.forAnotherClient(),
                "an ID token", Tokens.idToken(),
                "an expired access token", Tokens.expired());
        return RouteSecurity.routes().stream()
                .map(route -> DynamicTest.dynamicTest(
                        route.toString(),
                        () -> tokens.forEach((kind, token) -> assertThat(given().auth()
                                        .oauth2(token)
                                        .contentType("application/json")
                                        .body("{}")
                                        .request(route.method(), route.path())
                                        .statusCode())
                                .as(route + " with " + kind)
                                .isEqualTo(401))));
    }

    /** Viewers read (every GET that is not approver- or admin-only) and are refused every other route. */
    @TestFactory
    Stream<DynamicTest> viewersMayReadButNotChange() {
        String token = Tokens.viewer();
        return RouteSecurity.routes().stream()
                .map(route -> DynamicTest.dynamicTest(route.toString(), () -> {
                    int status = given().auth()
                            .oauth2(token)
                            .contentType("application/json")
                            .body("{}")
                            .request(route.method(), route.path())
                            .statusCode();
                    boolean restricted = approverRoutes().contains(route.toString())
                            || adminRoutes().contains(route.toString());
                    if ((route.method().equals("get") || viewerWriteRoutes().contains(route.toString()))
                            && !restricted) {
                        assertThat(status)
                                .as(route + " for a viewer")
                                .isNotIn(401, 403)
                                .isLessThan(500);
                    } else {
                        assertThat(status).as(route + " for a viewer").isEqualTo(403);
                    }
                }));
    }

    @TestFactory
    Stream<DynamicTest> operatorsAreRefusedApproverAndAdminRoutes() {
        String token = Tokens.operator();
        return RouteSecurity.routes().stream()
                .filter(r ->
                        approverRoutes().contains(r.toString()) || adminRoutes().contains(r.toString()))
                .map(route -> DynamicTest.dynamicTest(
                        route.toString(),
                        () -> given().auth()
                                .oauth2(token)
                                .contentType("application/json")
                                .body("{}")
                                .request(route.method(), route.path())
                                .then()
                                .statusCode(403)));
    }

    @TestFactory
    Stream<DynamicTest> approversAreRefusedAdminRoutes() {
        String token = Tokens.approver();
        return RouteSecurity.routes().stream()
                .filter(r -> adminRoutes().contains(r.toString()))
                .map(route -> DynamicTest.dynamicTest(
                        route.toString(),
                        () -> given().auth()
                                .oauth2(token)
                                .contentType("application/json")
                                .body("{}")
                                .request(route.method(), route.path())
                                .then()
                                .statusCode(403)));
    }

    @Test
    void theRoleListsNameRealRoutes() {
        List<String> all = RouteSecurity.routes().stream().map(Object::toString).toList();
        assertThat(all).containsAll(approverRoutes()).containsAll(adminRoutes());
    }

    @Test
    void healthMetricsAndOpenApiAreOpen() {
        for (String path : List.of("/q/health/live", "/q/health/ready", "/q/metrics", "/q/openapi")) {
            given().get(path).then().statusCode(200);
        }
    }

    @Test
    void anInvalidTokenIsRejected() {
        for (RouteSecurity.Route route : RouteSecurity.routes()) {
            given().auth()
                    .oauth2("not-a-jwt")
                    .request(route.method(), route.path())
                    .then()
                    .statusCode(401);
        }
    }
}
