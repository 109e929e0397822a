package io.devopsconsole.registry.target;

import io.devopsconsole.platform.validation.ValidHost;
import io.devopsconsole.registry.network.AccessPath;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;
import java.time.OffsetDateTime;
import java.util.UUID;

/** Payloads of the SSH-target API. Key material never appears here: only a reference to it. */
public final class TargetApi {

    static final String NAME = "[A-Za-z0-9][A-Za-z0-9._-]{0,62}";
    static final String NAME_MESSAGE = "must be 1-63 letters, digits, '.', '_' or '-', starting with a letter or digit";
    static final String USER = "[a-z_][a-z0-9_-]{0,31}";
    static final String USER_MESSAGE = "must be a POSIX user name (lower-case letters, digits, '_' or '-', at most 32)";
    /** A secret-store reference such as {@code vault:ssh/targets/web-1} or {@code local:deploy-key}. */
    static final String KEY_REF = "(vault|local):ssh/[A-Za-z0-9][A-Za-z0-9._/-]{0,195}";

    static final String KEY_REF_MESSAGE =
            "must be a secret reference under ssh/, like 'vault:ssh/targets/web-1' or" + " 'local:ssh/deploy-key'";

    private TargetApi() {}

    public record RegisterTargetRequest(
            @NotBlank @Pattern(regexp = NAME, message = NAME_MESSAGE)
            String name,

            @NotBlank @Size(max = 253) @ValidHost String host,
            @Min(1) @Max(65535) Integer port,
            @Pattern(regexp = USER, message = USER_MESSAGE) String username,
            SshTarget.Environment environment,
            UUID siteId,
            AccessPath accessPath,
            UUID tunnelProfileId,

            @Pattern(regexp = KEY_REF, message = KEY_REF_MESSAGE)
            String keyReference,

            Boolean confirm) {}

    public record UpdateTargetRequest(
            @NotBlank @Pattern(regexp = NAME, message = NAME_MESSAGE)
            String name,

            @NotBlank @Size(max = 253) @ValidHost String host,
            @NotNull @Min(1) @Max(65535) Integer port,

            @NotNull @Pattern(regexp = USER, message = USER_MESSAGE)
            String username,

            @NotNull SshTarget.Environment environment,
            UUID siteId,
            @NotNull AccessPath accessPath,
            UUID tunnelProfileId,

            @Pattern(regexp = KEY_REF, message = KEY_REF_MESSAGE)
            String keyReference,

            @NotNull @PositiveOrZero Long version,
            Boolean confirm) {}

    public record RetireTargetRequest(@PositiveOrZero Long version, Boolean confirm) {}

    /** An admin's explicit trust of a host key (normally onboarding does this after discovery). */
    public record TrustHostKeyRequest(
            @NotBlank @Size(max = 40) String keyType,
            @NotBlank @Size(max = 4096) String publicKey,
            @Size(max = 100) String fingerprintSha256,
            Boolean confirmTrust) {}

    public record HostKeyResponse(
            String type, String fingerprintSha256, String publicKey, OffsetDateTime trustedAt, String trustedBy) {}

    public record TargetResponse(
            UUID id,
            String name,
            String host,
            int port,
            String username,
            SshTarget.Environment environment,
            UUID siteId,
            AccessPath accessPath,
            UUID tunnelProfileId,
            String keySource,
            String keyReference,
            HostKeyResponse trustedHostKey,
            SshTarget.CodexStatus codexStatus,
            boolean retired,
            OffsetDateTime retiredAt,
            OffsetDateTime createdAt,
            String createdBy,
            OffsetDateTime updatedAt,
            String updatedBy,
            long version) {
        static TargetResponse of(SshTarget t) {
            HostKeyResponse key = t.hostKeyFingerprint() == null
                    ? null
                    : new HostKeyResponse(
                            t.hostKeyType(),
                            t.hostKeyFingerprint(),
                            t.hostKeyPublic(),
                            t.hostKeyTrustedAt(),
                            t.hostKeyTrustedBy());
            return new TargetResponse(
                    t.id(),
                    t.name(),
                    t.host(),
                    t.port(),
                    t.username(),
                    t.environment(),
                    t.siteId(),
                    t.accessPath(),
                    t.tunnelProfileId(),
                    t.keySource(),
                    t.keyReference(),
                    key,
                    t.codexStatus(),
                    t.retired(),
                    t.retiredAt(),
                    t.createdAt(),
                    t.createdBy(),
                    t.updatedAt(),
                    t.updatedBy(),
                    t.version());
        }
    }
}
