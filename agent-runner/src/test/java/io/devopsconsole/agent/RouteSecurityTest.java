package io.devopsconsole.agent;

import io.devopsconsole.testkit.RouteSecurityContract;
import io.quarkus.test.junit.QuarkusTest;
import java.util.Set;

/** Every route of the runner has a role; reads for viewers, changes for operators. */
@QuarkusTest
class RouteSecurityTest extends RouteSecurityContract {

    @Override
    protected Set<String> expectedRoutes() {
        return Set.of(
                "GET /api/workers",
                "GET /api/workers/{id}",
                "POST /api/workers/{id}/stop",
                "GET /api/targets/{targetId}/app-servers",
                "POST /api/targets/{targetId}/app-servers/refresh",
                "POST /api/targets/{targetId}/app-servers/{serverKey}/stop");
    }
}
