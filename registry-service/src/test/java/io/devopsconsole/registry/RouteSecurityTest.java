package io.devopsconsole.registry;

import io.devopsconsole.testkit.RouteSecurityContract;
import io.quarkus.test.junit.QuarkusTest;
import java.util.Set;

@QuarkusTest
class RouteSecurityTest extends RouteSecurityContract {

    @Override
    protected Set<String> expectedRoutes() {
        return Set.of(
                "POST /api/projects",
                "GET /api/projects",
                "GET /api/projects/{id}",
                "PUT /api/projects/{id}",
                "POST /api/projects/{id}/archive",
                "POST /api/sites",
                "GET /api/sites",
                "GET /api/sites/{id}",
                "PUT /api/sites/{id}",
                "DELETE /api/sites/{id}",
                "POST /api/tunnels",
                "GET /api/tunnels",
                "GET /api/tunnels/{id}",
                "PUT /api/tunnels/{id}",
                "POST /api/tunnels/{id}/state",
                "DELETE /api/tunnels/{id}",
                "POST /api/network-rules",
                "GET /api/network-rules",
                "GET /api/network-rules/resolve",
                "GET /api/network-rules/{id}",
                "PUT /api/network-rules/{id}",
                "DELETE /api/network-rules/{id}",
                "POST /api/ssh-targets",
                "GET /api/ssh-targets",
                "GET /api/ssh-targets/{id}",
                "PUT /api/ssh-targets/{id}",
                "POST /api/ssh-targets/{id}/retire",
                "PUT /api/ssh-targets/{id}/host-key",
                "DELETE /api/ssh-targets/{id}",
                "POST /api/runtime-profiles",
                "GET /api/runtime-profiles",
                "GET /api/runtime-profiles/{id}",
                "PUT /api/runtime-profiles/{id}",
                "DELETE /api/runtime-profiles/{id}",
                "GET /api/remote-access/targets",
                "GET /api/remote-access/targets/{id}");
    }

    @Override
    protected Set<String> approverRoutes() {
        return Set.of(
                "DELETE /api/sites/{id}",
                "DELETE /api/tunnels/{id}",
                "DELETE /api/network-rules/{id}",
                "DELETE /api/ssh-targets/{id}",
                "DELETE /api/runtime-profiles/{id}");
    }

    @Override
    protected Set<String> adminRoutes() {
        return Set.of("PUT /api/ssh-targets/{id}/host-key");
    }
}
