package io.devopsconsole.events.registry;

import java.util.List;
import java.util.UUID;

/**
 * A project's runtime profile as events carry it: where its workers run, and the Codex options
 * they run with ({@code codex}: absent fields mean the target's own Codex configuration; an event
 * written before the field existed reads as all absent). The agent-runner re-validates every
 * option before it reaches a command line.
 */
public record RuntimeProfileState(
        UUID runtimeProfileId,
        UUID projectId,
        String switchPolicy,
        List<Binding> bindings,
        CodexOptions codex,
        long version) {

    public RuntimeProfileState {
        bindings = List.copyOf(bindings);
        codex = codex == null ? CodexOptions.NONE : codex;
    }

    /** One target binding: role {@code primary} or {@code secondary}, the working directory on that target. */
    public record Binding(UUID targetId, String role, String workingDirectory) {}

    /**
     * The allow-listed Codex options of a runtime profile: model, model provider name and its
     * base URL (a Responses-API endpoint), approval policy ({@code untrusted}, {@code on-request},
     * {@code never}) and sandbox mode ({@code read-only}, {@code workspace-write},
     * {@code danger-full-access}). Each may be null.
     */
    public record CodexOptions(
            String model, String modelProvider, String modelBaseUrl, String approvalPolicy, String sandboxMode) {
        public static final CodexOptions NONE = new CodexOptions(null, null, null, null, null);
    }
}
