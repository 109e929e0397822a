package io.devopsconsole.events.onboarding;

import java.util.UUID;

/**
 * A WireGuard operation on a registered tunnel profile ran on its gateway target: {@code action}
 * is check, tooling_check, tooling_install, activate, deactivate or status; {@code operationalState}
 * (up, down, unknown) and {@code usableForRemoteExecution} are what the registry records for the
 * profile. No private key or peer secret is ever part of it.
 */
public record TunnelStateObserved(
        UUID tunnelProfileId,
        String tunnelName,
        UUID gatewayTargetId,
        String action,
        String outcome,
        String operationalState,
        boolean usableForRemoteExecution,
        String detail)
        implements OnboardingEvent {

    public static final String TYPE = "io.devopsconsole.onboarding.tunnel.observed.v1";

    @Override
    public String aggregateId() {
        return tunnelProfileId.toString();
    }

    @Override
    public String resourceType() {
        return "tunnel_profile";
    }

    @Override
    public String resourceName() {
        return tunnelName;
    }
}
