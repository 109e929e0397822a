package io.devopsconsole.events.registry;

import java.util.UUID;

/** A host key became the trusted key of an SSH target (from onboarding or an explicit admin action). */
public record HostKeyTrusted(
        UUID targetId,
        String name,
        String keyType,
        String fingerprintSha256,
        String publicKey,
        String source,
        String trustedBy,
        long version)
        implements TargetEvent {

    public static final String TYPE = "io.devopsconsole.registry.target.host_key_trusted.v1";

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
        return name;
    }
}
