package io.devopsconsole.events.onboarding;

import java.util.UUID;

/** A readiness check observed a target's Codex status. */
public record CodexReadinessObserved(UUID targetId, UUID runId, String codexStatus, String codexVersion)
        implements OnboardingEvent {

    public static final String TYPE = "io.devopsconsole.onboarding.readiness.observed.v1";

    @Override
    public String aggregateId() {
        return targetId.toString();
    }

    @Override
    public String resourceType() {
        return "ssh_target";
    }

    @Override
    public String resourceName() {
        return codexStatus;
    }
}
