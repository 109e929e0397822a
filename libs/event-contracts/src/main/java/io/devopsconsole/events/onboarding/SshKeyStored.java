package io.devopsconsole.events.onboarding;

/**
 * An admin stored (or deleted) a per-target SSH override key in the secret store. Only the
 * reference, the public half's fingerprint and the environment the key is for (only targets of it
 * may log in with it) travel; the private key never does.
 */
public record SshKeyStored(
        String keyReference,
        String action,
        String keyType,
        String publicKeyFingerprint,
        int secretVersion,
        String environment)
        implements OnboardingEvent {

    public static final String TYPE = "io.devopsconsole.onboarding.ssh_key.stored.v1";

    @Override
    public String aggregateId() {
        return keyReference;
    }

    @Override
    public String resourceType() {
        return "ssh_key";
    }

    @Override
    public String resourceName() {
        return keyReference;
    }
}
