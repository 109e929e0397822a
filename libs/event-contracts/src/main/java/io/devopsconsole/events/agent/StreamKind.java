package io.devopsconsole.events.agent;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Optional;

/**
 * What an {@link AgentStreamRecord} reports. Each kind's payload is a type of
 * {@link io.devopsconsole.events.agent.stream.StreamPayload} — the one description of stream
 * records, with the JSON Schema and the console's TypeScript types generated from it
 * ({@link io.devopsconsole.events.agent.stream.StreamContract}) and shared examples
 * ({@link io.devopsconsole.events.agent.stream.StreamFixtures}).
 */
public enum StreamKind {
    AGENT_MESSAGE_DELTA,
    ITEM_STARTED,
    ITEM_COMPLETED,
    COMMAND_OUTPUT_DELTA,
    FILE_CHANGE,
    APPROVAL_REQUESTED,
    APPROVAL_RESOLVED,
    TOKEN_USAGE,
    TURN_STARTED,
    TURN_COMPLETED,
    TURN_FAILED,
    TURN_TIMED_OUT,
    TURN_INTERRUPTED,
    WORKER_STATE,
    ERROR,
    STREAM_GAP,
    ATTACHMENT_COPIED;

    @JsonValue
    public String wire() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static Optional<StreamKind> of(String wire) {
        return Arrays.stream(values()).filter(k -> k.wire().equals(wire)).findFirst();
    }

    @com.fasterxml.jackson.annotation.JsonCreator
    static StreamKind fromWire(String wire) {
        return of(wire).orElseThrow(() -> new IllegalArgumentException("unknown stream record kind " + wire));
    }

    /** Whether the record ends the turn it belongs to. */
    public boolean endsTurn() {
        return this == TURN_COMPLETED || this == TURN_FAILED || this == TURN_TIMED_OUT || this == TURN_INTERRUPTED;
    }
}
