package io.devopsconsole.onboarding.run;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Size;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

/** Payloads of the onboarding API. */
public final class OnboardingApi {

    private OnboardingApi() {}

    /**
     * Start a run from a natural request, from fields, or both (a field wins over the sentence).
     * Site, access path and tunnel are inferred from the registry's network rules only when none is given.
     * {@code target_id} instead onboards (again) a target the registry already has: its name, address,
     * user and environment come from the registry, and registration is skipped (how a host whose key
     * changed is trusted again).
     */
    public record IntakeRequest(
            @Size(max = 2000) String request,
            @Size(max = 253) String host,
            @Size(max = 63) String name,
            @Size(max = 32) String user,
            @Min(1) @Max(65535) Integer port,
            @Size(max = 20) String environment,
            UUID siteId,
            @Size(max = 10) String accessPath,
            UUID tunnelProfileId,
            UUID targetId,
            Boolean confirmProduction) {}

    public record TrustRequest(
            Boolean confirmTrust, @Size(max = 100) String fingerprintSha256) {}

    public record StepView(
            int seq,
            String step,
            String outcome,
            String fromState,
            String toState,
            String detail,
            JsonNode facts,
            String actor,
            OffsetDateTime at,
            Long durationMs) {}

    public record HostKeyView(String keyType, String publicKey, String fingerprintSha256) {}

    public record RunView(
            UUID id,
            String state,
            UUID targetId,
            String targetName,
            String host,
            int port,
            String username,
            String environment,
            UUID siteId,
            String accessPath,
            UUID tunnelProfileId,
            JsonNode intake,
            HostKeyView presentedHostKey,
            HostKeyView trustedHostKey,
            String waitingFor,
            String failure,
            UUID installPlanId,
            JsonNode probe,
            JsonNode readiness,
            int sshConnections,
            String createdBy,
            OffsetDateTime createdAt,
            OffsetDateTime updatedAt,
            OffsetDateTime finishedAt,
            long version,
            List<StepView> steps) {}

    /** What {@code GET .../host-key} reports: the key the host presents now, next to what the run recorded. */
    public record HostKeyReport(
            HostKeyView presented,
            HostKeyView recorded,
            HostKeyView trusted,
            boolean matchesRecorded,
            boolean matchesTrusted) {}
}
