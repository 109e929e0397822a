package io.devopsconsole.registry.runtime;

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

    private RuntimeProfileApi() {
    }

    public record BindingRequest(@NotNull UUID targetId, @NotNull Binding.Role role,
                                 @NotNull @SafeDirectory String workingDirectory) {
    }

    public record CreateProfileRequest(@NotNull UUID projectId, RuntimeProfile.SwitchPolicy switchPolicy,
                                       @NotEmpty @Size(max = 16) List<@Valid @NotNull BindingRequest> bindings) {
    }

    public record UpdateProfileRequest(@NotNull RuntimeProfile.SwitchPolicy switchPolicy,
                                       @NotEmpty @Size(max = 16) List<@Valid @NotNull BindingRequest> bindings,
                                       @NotNull @PositiveOrZero Long version) {
    }

    public record BindingResponse(UUID targetId, Binding.Role role, String workingDirectory) {
    }

    public record ProfileResponse(UUID id, UUID projectId, RuntimeProfile.SwitchPolicy switchPolicy,
                                  List<BindingResponse> bindings, OffsetDateTime createdAt, OffsetDateTime updatedAt,
                                  long version) {
        static ProfileResponse of(RuntimeProfile p) {
            return new ProfileResponse(p.id(), p.projectId(), p.switchPolicy(), p.bindings().stream()
                    .map(b -> new BindingResponse(b.targetId(), b.role(), b.workingDirectory())).toList(),
                    p.createdAt(), p.updatedAt(), p.version());
        }
    }
}
