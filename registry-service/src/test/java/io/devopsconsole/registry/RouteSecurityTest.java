package io.devopsconsole.registry;

import io.devopsconsole.testkit.RouteSecurityContract;
import io.quarkus.test.junit.QuarkusTest;

import java.util.Set;

@QuarkusTest
class RouteSecurityTest extends RouteSecurityContract {

    @Override
    protected Set<String> expectedRoutes() {
        return Set.of("POST /api/projects", "GET /api/projects", "GET /api/projects/{id}", "PUT /api/projects/{id}",
                "POST /api/projects/{id}/archive");
    }

    @Override
    protected Set<String> viewerRoutes() {
        return Set.of("GET /api/projects", "GET /api/projects/{id}");
    }
}
