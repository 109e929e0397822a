package io.devopsconsole.registry.runtime;

import io.devopsconsole.events.registry.RuntimeProfileState;
import io.devopsconsole.platform.validation.SafeDirectory;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

/** Payloads of the runtime-profile API. */
public final class RuntimeProfileApi {

    private RuntimeProfileApi() {}

    public record BindingRequest(
            @NotNull UUID targetId,
            @NotNull Binding.Role role,
            @NotNull @SafeDirectory(workspace = true) String workingDirectory) {}

    /** Codex options: absent (or null) keeps the target's own Codex configuration for that option. */
    public record CreateProfileRequest(
            @NotNull UUID projectId,
            RuntimeProfile.SwitchPolicy switchPolicy,
            @NotEmpty @Size(max = 16) List<@Valid @NotNull BindingRequest> bindings,
            RuntimeProfileState.CodexOptions codex) {}

    public record UpdateProfileRequest(
            @NotNull RuntimeProfile.SwitchPolicy switchPolicy,
            @NotEmpty @Size(max = 16) List<@Valid @NotNull BindingRequest> bindings,
            RuntimeProfileState.CodexOptions codex,
            @NotNull @PositiveOrZero Long version) {}

    public record BindingResponse(UUID targetId, Binding.Role role, String workingDirectory) {}

    public record ProfileResponse(
            UUID id,
            UUID projectId,
            RuntimeProfile.SwitchPolicy switchPolicy,
            List<BindingResponse> bindings,
            RuntimeProfileState.CodexOptions codex,
            OffsetDateTime createdAt,
            OffsetDateTime updatedAt,
            long version) {
        static ProfileResponse of(RuntimeProfile p) {
            return new ProfileResponse(
                    p.id(),
                    p.projectId(),
                    p.switchPolicy(),
                    p.bindings().stream()
                            .map(b -> new BindingResponse(b.targetId(), b.role(), b.workingDirectory()))
                            .toList(),
                    p.codex(),
                    p.createdAt(),
                    p.updatedAt(),
                    p.version());
        }
    }
}
