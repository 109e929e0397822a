package io.devopsconsole.events.onboarding;

import java.util.UUID;

/**
 * A controlled host workflow (a fixed, allow-listed command sequence such as {@code cockpit}) moved:
 * {@code state} is proposed, approved, rejected, executing, step (one command ended; {@code detail}
 * says which and its exit status), succeeded or failed. {@code resultUrl} is what a succeeded
 * workflow offers (the Cockpit URL), else null. {@code detail} never carries command output.
 */
public record HostWorkflowChanged(
        UUID workflowId,
        String workflow,
        UUID targetId,
        String targetName,
        String environment,
        String state,
        String detail,
        String resultUrl)
        implements OnboardingEvent {

    public static final String TYPE = "io.devopsconsole.onboarding.host_workflow.changed.v1";

    @Override
    public String aggregateId() {
        return workflowId.toString();
    }

    @Override
    public String resourceType() {
        return "host_workflow";
    }

    @Override
    public String resourceName() {
        return targetName;
    }
}
