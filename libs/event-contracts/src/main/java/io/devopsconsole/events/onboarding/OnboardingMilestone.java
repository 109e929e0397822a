package io.devopsconsole.events.onboarding;

import java.util.UUID;

/**
 * A step of an onboarding run happened: {@code milestone} names it (started, target_registered,
 * host_key_discovered, host_key_trusted, host_key_changed, probed, readiness_checked,
 * plan_proposed, plan_approved, plan_rejected, plan_executing, install_step, plan_succeeded,
 * plan_failed, auth_provisioned, ready, failed, cancelled), {@code state} is the run's state
 * after it. {@code detail} is a short operator-facing sentence without secret material.
 */
public record OnboardingMilestone(
        UUID runId, UUID targetId, String targetName, UUID planId, String milestone, String state, String detail)
        implements OnboardingEvent {

    public static final String TYPE = "io.devopsconsole.onboarding.run.milestone.v1";

    @Override
    public String aggregateId() {
        return runId.toString();
    }

    @Override
    public String resourceType() {
        return "onboarding_run";
    }

    @Override
    public String resourceName() {
        return targetName;
    }
}
