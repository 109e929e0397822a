package io.devopsconsole.registry.network;

import io.devopsconsole.platform.validation.PlainText;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;
import java.time.OffsetDateTime;
import java.util.UUID;

/** Payloads of the network-rule API. */
public final class NetworkRuleApi {

    private NetworkRuleApi() {}

    public record CreateRuleRequest(
            @NotBlank @Size(max = 50) String cidr,
            UUID siteId,
            @NotNull AccessPath accessPath,
            UUID tunnelProfileId,
            @Size(max = 500) @PlainText String description) {}

    public record UpdateRuleRequest(
            @NotBlank @Size(max = 50) String cidr,
            UUID siteId,
            @NotNull AccessPath accessPath,
            UUID tunnelProfileId,
            @Size(max = 500) @PlainText String description,
            @NotNull @PositiveOrZero Long version) {}

    public record RuleResponse(
            UUID id,
            String cidr,
            int prefixLength,
            UUID siteId,
            AccessPath accessPath,
            UUID tunnelProfileId,
            String description,
            OffsetDateTime createdAt,
            OffsetDateTime updatedAt,
            long version) {
        static RuleResponse of(NetworkRule r) {
            return new RuleResponse(
                    r.id(),
                    r.cidr(),
                    r.prefixLength(),
                    r.siteId(),
                    r.accessPath(),
                    r.tunnelProfileId(),
                    r.description(),
                    r.createdAt(),
                    r.updatedAt(),
                    r.version());
        }
    }

    /** The defaults a host would get, and why. */
    public record ResolutionResponse(
            String host,
            UUID matchedRuleId,
            String matchedCidr,
            UUID siteId,
            String siteName,
            AccessPath accessPath,
            UUID tunnelProfileId,
            String tunnelProfileName,
            String reason) {}
}
