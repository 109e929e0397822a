package io.devopsconsole.onboarding;

import io.devopsconsole.testkit.RouteSecurityContract;
import io.quarkus.test.junit.QuarkusTest;
import java.util.Set;

/** Every onboarding route needs a role; viewers read, admins alone handle secret material. */
@QuarkusTest
class RouteSecurityTest extends RouteSecurityContract {

    @Override
    protected Set<String> expectedRoutes() {
        return Set.of(
                "POST /api/agent-target-onboarding",
                "GET /api/agent-target-onboarding",
                "GET /api/agent-target-onboarding/{id}",
                "POST /api/agent-target-onboarding/{id}/advance",
                "POST /api/agent-target-onboarding/{id}/cancel",
                "GET /api/agent-target-onboarding/{id}/host-key",
                "POST /api/agent-target-onboarding/{id}/host-key/trust",
                "GET /api/install-plans",
                "GET /api/install-plans/{id}",
                "POST /api/install-plans/{id}/approve",
                "POST /api/install-plans/{id}/reject",
                "POST /api/install-plans/{id}/execute",
                "POST /api/codex-auth/slots",
                "GET /api/codex-auth/slots",
                "GET /api/codex-auth/slots/{id}",
                "DELETE /api/codex-auth/slots/{id}",
                "POST /api/codex-auth/slots/{id}/lease",
                "POST /api/codex-auth/slots/{id}/release",
                "POST /api/codex-auth/slots/{id}/provision",
                "POST /api/codex-auth/slots/{id}/collect",
                "POST /api/tunnels/{tunnelProfileId}/wireguard/check",
                "POST /api/tunnels/{tunnelProfileId}/wireguard/tooling",
                "POST /api/tunnels/{tunnelProfileId}/wireguard/tooling/install",
                "POST /api/tunnels/{tunnelProfileId}/wireguard/activate",
                "POST /api/tunnels/{tunnelProfileId}/wireguard/deactivate",
                "GET /api/tunnels/{tunnelProfileId}/wireguard/status",
                "POST /api/tunnels/{tunnelProfileId}/wireguard/status",
                "POST /api/ssh-keys",
                "DELETE /api/ssh-keys");
    }

    @Override
    protected Set<String> adminRoutes() {
        return Set.of(
                "POST /api/codex-auth/slots",
                "DELETE /api/codex-auth/slots/{id}",
                "POST /api/ssh-keys",
                "DELETE /api/ssh-keys");
    }
}
