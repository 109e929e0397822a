package io.devopsconsole.session.session;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * A session's life: {@code requested → starting → active ⇄ waiting_approval → idle → stopping →
 * stopped | failed}. An idle session starts another turn (back to active); anything but a final
 * state may stop or fail.
 */
public enum SessionState {
    REQUESTED,
    STARTING,
    ACTIVE,
    WAITING_APPROVAL,
    IDLE,
    STOPPING,
    STOPPED,
    FAILED;

    @JsonValue
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static SessionState fromWire(String wire) {
        return valueOf(wire.toUpperCase(Locale.ROOT));
    }

    public boolean isFinal() {
        return this == STOPPED || this == FAILED;
    }

    /** Whether an operator may send the agent a message now (it is queued until a worker runs). */
    public boolean acceptsMessages() {
        return this == REQUESTED || this == STARTING || this == ACTIVE || this == WAITING_APPROVAL || this == IDLE;
    }

    public Set<SessionState> next() {
        return switch (this) {
            case REQUESTED -> EnumSet.of(STARTING, ACTIVE, STOPPING, STOPPED, FAILED);
            case STARTING -> EnumSet.of(ACTIVE, IDLE, STOPPING, FAILED);
            case ACTIVE -> EnumSet.of(WAITING_APPROVAL, IDLE, STOPPING, FAILED);
            case WAITING_APPROVAL -> EnumSet.of(ACTIVE, IDLE, STOPPING, FAILED);
            case IDLE -> EnumSet.of(ACTIVE, STOPPING, FAILED);
            case STOPPING -> EnumSet.of(STOPPED, FAILED);
            case STOPPED, FAILED -> EnumSet.noneOf(SessionState.class);
        };
    }

    public boolean canMoveTo(SessionState to) {
        return next().contains(to);
    }
}
