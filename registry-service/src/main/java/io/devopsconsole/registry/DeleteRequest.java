package io.devopsconsole.registry;

import io.devopsconsole.platform.validation.PlainText;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;

/**
 * The body of every inventory deletion: {@code confirm} must be true (and the caller an approver
 * or admin); {@code version}, when given, must be the current one; {@code reason} goes on the event.
 */
public record DeleteRequest(Boolean confirm, @PositiveOrZero Long version, @Size(max = 500) @PlainText String reason) {
}
