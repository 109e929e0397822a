package io.devopsconsole.session;

import io.devopsconsole.testkit.RouteSecurityContract;
import io.quarkus.test.junit.QuarkusTest;
import java.util.Set;

@QuarkusTest
class RouteSecurityTest extends RouteSecurityContract {

    @Override
    protected Set<String> expectedRoutes() {
        return Set.of(
                "POST /api/sessions",
                "GET /api/sessions",
                "GET /api/sessions/active",
                "GET /api/sessions/{id}",
                "POST /api/sessions/{id}/messages",
                "POST /api/sessions/{id}/stop",
                "POST /api/sessions/{id}/interrupt",
                "GET /api/sessions/{id}/events",
                "GET /api/sessions/{id}/stream",
                "GET /api/sessions/{id}/approvals",
                "GET /api/sessions/{id}/approvals/{approvalId}",
                "POST /api/sessions/{id}/approvals/{approvalId}/decision",
                "GET /api/sessions/{id}/commands",
                "POST /api/handoffs",
                "GET /api/handoffs",
                "GET /api/handoffs/{id}",
                "POST /api/handoffs/{id}/start",
                "GET /api/usage/sessions/{id}",
                "GET /api/usage/projects/{id}",
                "GET /api/coordinator/conversation",
                "POST /api/coordinator/messages",
                "GET /api/coordinator/events",
                "GET /api/coordinator/stream",
                "GET /api/coordinator/proposals",
                "POST /api/coordinator/proposals/{id}/confirm",
                "POST /api/coordinator/proposals/{id}/cancel",
                "GET /api/coordinator/tools",
                "GET /api/sessions/{id}/console-logs");
    }

    @Override
    protected Set<String> adminRoutes() {
        return Set.of("GET /api/sessions/{id}/console-logs");
    }

    @Override
    protected Set<String> viewerWriteRoutes() {
        return Set.of(
                "POST /api/coordinator/messages",
                "POST /api/coordinator/proposals/{id}/confirm",
                "POST /api/coordinator/proposals/{id}/cancel");
    }
}
