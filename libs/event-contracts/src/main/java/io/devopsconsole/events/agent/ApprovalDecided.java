package io.devopsconsole.events.agent;

import java.util.UUID;

/**
 * Answer the app-server's pending request {@code requestId} ({@code approved} or {@code denied};
 * an expired approval is sent as {@code denied}).
 */
public record ApprovalDecided(UUID sessionId, UUID approvalId, String requestId, String decision, String decidedBy)
        implements AgentCommand {

    public static final String TYPE = "io.devopsconsole.agent.approval.decided.v1";

    @Override
    public String resourceName() {
        return requestId;
    }
}
