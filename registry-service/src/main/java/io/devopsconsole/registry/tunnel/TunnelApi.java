package io.devopsconsole.registry.tunnel;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.PositiveOrZero;
import java.time.OffsetDateTime;
import java.util.UUID;

/** Payloads of the tunnel-profile API. */
public final class TunnelApi {

    /** A Linux interface name that wg-quick accepts as a config basename. */
    static final String INTERFACE = io.devopsconsole.platform.validation.WireGuardNames.INTERFACE;

    static final String INTERFACE_MESSAGE = io.devopsconsole.platform.validation.WireGuardNames.INTERFACE_MESSAGE;
    static final String CONFIG_PATH = io.devopsconsole.platform.validation.WireGuardNames.CONFIG_PATH;
    static final String CONFIG_PATH_MESSAGE = io.devopsconsole.platform.validation.WireGuardNames.CONFIG_PATH_MESSAGE;
    static final String NAME = "[A-Za-z0-9][A-Za-z0-9._-]{0,62}";
    static final String NAME_MESSAGE = "must be 1-63 letters, digits, '.', '_' or '-', starting with a letter or digit";

    private TunnelApi() {}

    public record CreateTunnelRequest(
            @NotBlank @Pattern(regexp = NAME, message = NAME_MESSAGE)
            String name,

            TunnelProfile.Kind kind,

            @NotBlank @Pattern(regexp = INTERFACE, message = INTERFACE_MESSAGE)
            String interfaceName,

            @NotNull @Pattern(regexp = CONFIG_PATH, message = CONFIG_PATH_MESSAGE)
            String configPath,

            Boolean enabled) {}

    public record UpdateTunnelRequest(
            @NotBlank @Pattern(regexp = NAME, message = NAME_MESSAGE)
            String name,

            @NotBlank @Pattern(regexp = INTERFACE, message = INTERFACE_MESSAGE)
            String interfaceName,

            @NotNull @Pattern(regexp = CONFIG_PATH, message = CONFIG_PATH_MESSAGE)
            String configPath,

            @NotNull Boolean enabled,
            @NotNull @PositiveOrZero Long version) {}

    /** What a tunnel check observed. */
    public record TunnelStateRequest(
            @NotNull TunnelProfile.OperationalState operationalState,
            @NotNull Boolean usableForRemoteExecution) {}

    public record TunnelResponse(
            UUID id,
            String name,
            TunnelProfile.Kind kind,
            String interfaceName,
            String configPath,
            boolean enabled,
            TunnelProfile.OperationalState operationalState,
            boolean usableForRemoteExecution,
            boolean available,
            OffsetDateTime lastCheckedAt,
            OffsetDateTime createdAt,
            OffsetDateTime updatedAt,
            long version) {
        static TunnelResponse of(TunnelProfile t) {
            return new TunnelResponse(
                    t.id(),
                    t.name(),
                    t.kind(),
                    t.interfaceName(),
                    t.configPath(),
                    t.enabled(),
                    t.operationalState(),
                    t.usableForRemoteExecution(),
                    t.available(),
                    t.lastCheckedAt(),
                    t.createdAt(),
                    t.updatedAt(),
                    t.version());
        }
    }
}
