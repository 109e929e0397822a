package io.devopsconsole.events.session;

import java.util.UUID;

/**
 * A risky operation the coordinator proposed was decided: {@code confirmed} (by typing its phrase or
 * pressing Confirm), {@code cancelled}, or {@code expired} unanswered. A confirmed one then runs once
 * (its {@link CoordinatorToolCalled} names this proposal).
 */
public record CoordinatorProposalDecided(
        UUID proposalId, UUID conversationId, String tool, String summary, String decision, String decidedBy)
        implements SessionEvent {

    public static final String TYPE = "io.devopsconsole.session.coordinator_proposal.decided.v1";

    @Override
    public String aggregateId() {
        return conversationId.toString();
    }

    @Override
    public String resourceType() {
        return "coordinator_proposal";
    }

    @Override
    public String resourceName() {
        return summary;
    }
}
