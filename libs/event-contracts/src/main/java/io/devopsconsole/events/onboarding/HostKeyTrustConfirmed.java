package io.devopsconsole.events.onboarding;

import java.util.UUID;

/** An operator confirmed trust in the host key a target presented during onboarding. */
public record HostKeyTrustConfirmed(
        UUID targetId, UUID runId, String keyType, String fingerprintSha256, String publicKey)
        implements OnboardingEvent {

    public static final String TYPE = "io.devopsconsole.onboarding.host_key.trust_confirmed.v1";

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
        return fingerprintSha256;
    }
}
