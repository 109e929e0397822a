package io.devopsconsole.events.session;

import java.util.UUID;

/**
 * An approval was decided ({@code approved}, {@code denied}) or ran out ({@code expired});
 * {@code automatic} when the session's policy decided it for the operator who started the turn.
 */
public record ApprovalResolved(
        UUID approvalId,
        UUID sessionId,
        String kind,
        String summary,
        String decision,
        String decidedBy,
        boolean automatic,
        String reason)
        implements SessionEvent {

    public static final String TYPE = "io.devopsconsole.session.approval.resolved.v1";

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
