package io.devopsconsole.events.registry;

import java.util.List;
import java.util.UUID;

/** A project's runtime profile as events carry it: where its workers run. */
public record RuntimeProfileState(
        UUID runtimeProfileId,
        UUID projectId,
        String switchPolicy,
        List<Binding> bindings,
        long version) {

    public RuntimeProfileState {
        bindings = List.copyOf(bindings);
    }

    /** One target binding: role {@code primary} or {@code secondary}, the working directory on that target. */
    public record Binding(UUID targetId, String role, String workingDirectory) {
    }
}
