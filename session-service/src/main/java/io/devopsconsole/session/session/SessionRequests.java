package io.devopsconsole.session.session;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.util.UUID;

/** Request bodies of the sessions API. */
public final class SessionRequests {

    private SessionRequests() {}

    /**
     * Opens the project's live session. {@code approval_policy}: {@code manual} (default) or
     * {@code auto_approve_benign} (benign requests are approved for the operator who started the turn).
     */
    public record CreateSessionRequest(
            @NotNull UUID projectId,

            @Pattern(regexp = "manual|auto_approve_benign", message = "must be manual or auto_approve_benign")
            String approvalPolicy) {}

    /** A message for the agent: plain text, up to 32,000 characters. */
    /**
     * The operator's message; {@code target_id} picks which of the project's bound targets runs the
     * turn (one worker per target; the primary one when absent).
     */
    public record PostMessageRequest(
            @NotBlank @Size(max = 32_000) String text, java.util.UUID targetId) {}

    /** Stops the session (its worker is told to stop). */
    public record StopSessionRequest(@Size(max = 500) String reason) {}
}
