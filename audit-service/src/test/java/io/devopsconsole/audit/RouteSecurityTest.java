package io.devopsconsole.audit;

import io.devopsconsole.testkit.RouteSecurityContract;
import io.quarkus.test.junit.QuarkusTest;
import java.util.Set;

@QuarkusTest
class RouteSecurityTest extends RouteSecurityContract {

    @Override
    protected Set<String> expectedRoutes() {
        return Set.of(
                "GET /api/audit/events",
                "POST /api/audit/events",
                "GET /api/audit/verify",
                "GET /api/audit/export",
                "GET /api/audit/retention",
                "POST /api/audit/retention/run");
    }

    @Override
    protected Set<String> adminRoutes() {
        return Set.of("GET /api/audit/export", "POST /api/audit/retention/run");
    }
}
