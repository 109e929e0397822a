package io.devopsconsole.platform.security;

import io.devopsconsole.platform.problem.InvalidFieldException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.identity.SecurityIdentity;

/**
 * The safety gate for destructive changes (production targets, deletions, trust): the caller
 * must hold {@code approver} or {@code admin} and must have said so explicitly with a
 * {@code confirm*: true} field. Refusals are 403 (role) or 400 naming the confirmation field.
 */
public final class Gate {

    private Gate() {}

    public static void requireApproval(SecurityIdentity who, Boolean confirmed, String confirmField, String action) {
        if (!(who.hasRole(Roles.APPROVER) || who.hasRole(Roles.ADMIN))) {
            throw new ForbiddenException("only an approver or admin may " + action);
        }
        requireConfirmed(confirmed, confirmField, action);
    }

    public static void requireAdmin(SecurityIdentity who, Boolean confirmed, String confirmField, String action) {
        if (!who.hasRole(Roles.ADMIN)) {
            throw new ForbiddenException("only an admin may " + action);
        }
        requireConfirmed(confirmed, confirmField, action);
    }

    public static void requireConfirmed(Boolean confirmed, String confirmField, String action) {
        if (!Boolean.TRUE.equals(confirmed)) {
            throw new InvalidFieldException(confirmField, "must be true to " + action);
        }
    }
}
