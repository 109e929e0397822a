package io.devopsconsole.registry;

import io.devopsconsole.platform.security.Gate;
import io.devopsconsole.platform.validation.PlainText;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;

/**
 * The body of every inventory deletion: {@code confirm} must be true (and the caller an approver
 * or admin); {@code version}, when given, must be the current one; {@code reason} goes on the event.
 */
public record DeleteRequest(
        Boolean confirm,
        @PositiveOrZero Long version,
        @Size(max = 500) @PlainText String reason) {

    /** The request (an absent body counts as empty) once the gate let it through. */
    public static DeleteRequest approved(SecurityIdentity who, DeleteRequest request, String action) {
        DeleteRequest body = request == null ? new DeleteRequest(null, null, null) : request;
        Gate.requireApproval(who, body.confirm(), "confirm", action);
        return body;
    }
}
