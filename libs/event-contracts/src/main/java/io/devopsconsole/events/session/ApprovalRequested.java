package io.devopsconsole.events.session;

import java.util.UUID;

/** The agent asked to run a command or apply a file change; a decision is pending. */
public record ApprovalRequested(UUID approvalId, UUID sessionId, String kind, String summary, String risk)
        implements SessionEvent {

    public static final String TYPE = "io.devopsconsole.session.approval.requested.v1";

    @Override
    public String aggregateId() {
        return sessionId.toString();
    }

    @Override
    public String resourceType() {
        return "approval";
    }

    @Override
    public String resourceName() {
        return summary;
    }
}
