package io.devopsconsole.events.onboarding;

import java.util.UUID;

/**
 * Something happened to a Codex auth slot: {@code action} is imported, replaced, leased,
 * released, provisioned, collected, deleted or provision_failed. The material itself never
 * travels: {@code secretReference} names where it is stored.
 */
public record CodexAuthSlotChanged(
        UUID slotId,
        String slotName,
        String action,
        String secretReference,
        int secretVersion,
        UUID targetId,
        UUID sessionId,
        String detail)
        implements OnboardingEvent {

    public static final String TYPE = "io.devopsconsole.onboarding.codex_auth_slot.changed.v1";

    @Override
    public String aggregateId() {
        return slotId.toString();
    }

    @Override
    public String resourceType() {
        return "codex_auth_slot";
    }

    @Override
    public String resourceName() {
        return slotName;
    }
}
