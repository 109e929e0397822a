package io.devopsconsole.events.agent;

import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Arrays;
import java.util.Optional;

/**
 * What an {@link AgentStreamRecord} reports. Payload fields per kind (snake_case JSON):
 * <ul>
 * <li>{@code agent_message_delta}: {@code delta}</li>
 * <li>{@code item_started}: {@code item_type} ({@code agent_message}, {@code command_execution},
 *     {@code file_change}, {@code reasoning}, ...), and for commands {@code command}, {@code cwd}</li>
 * <li>{@code item_completed}: {@code item_type}; messages {@code text}; commands {@code command},
 *     {@code cwd}, {@code exit_code}, {@code duration_ms} with {@code duration_source} ({@code codex},
 *     {@code codex_timestamps} or {@code measured_by_runner}: item start to end as the runner saw them,
 *     approval wait included; absent when unknown), {@code output} (redacted tail),
 *     {@code approval_request_id}; file changes {@code changes} [{@code path}, {@code kind}, {@code diff}]</li>
 * <li>{@code command_output_delta}: {@code delta}</li>
 * <li>{@code file_change}: {@code path}, {@code kind}, {@code diff}</li>
 * <li>{@code approval_requested}: {@code request_id} ({@code <turnId>:<itemId>}), {@code approval_kind}
 *     ({@code command} or {@code file_change}), {@code command}, {@code cwd}, {@code reason}, {@code risk},
 *     for file changes {@code changes}</li>
 * <li>{@code approval_resolved}: {@code request_id}, {@code decision}</li>
 * <li>{@code token_usage}: {@code input_tokens}, {@code cached_input_tokens}, {@code output_tokens},
 *     {@code total_tokens} (the thread's running totals), {@code last_total_tokens} (the last model
 *     response), {@code turn_total_tokens} (this turn's own), {@code thread_id}, {@code scope}</li>
 * <li>{@code turn_started}, {@code turn_completed}, {@code turn_interrupted}: nothing more;
 *     {@code turn_failed}, {@code turn_timed_out}: {@code message}</li>
 * <li>{@code worker_state}: {@code state} ({@code starting}, {@code ready}, {@code detached} (a
 *     durable worker's connection dropped; the runner reconnects), {@code reattaching} (a runner
 *     took the session over), {@code reattached}, {@code command_stuck} (with {@code item_id},
 *     {@code command}, {@code quiet_ms}), {@code lost} (gone for good; the next turn starts a worker
 *     that resumes the thread), {@code stopped}, {@code failed}), {@code transport}
 *     ({@code durable} or {@code stdio}), {@code target_name}, {@code worker_id}, {@code thread_id}
 *     when ready or reattached, {@code message}</li>
 * <li>{@code error}: {@code message}, and from the app-server {@code will_retry}, {@code codex_error},
 *     {@code provider_details} (the provider's own text when codex passes it on); from session-service,
 *     in place of a record it could not store, {@code source} and {@code dead_lettered_kind}</li>
 * <li>{@code stream_gap}: an item ran while no runner was attached (a reattach or a takeover) and
 *     what it produced meanwhile was not streamed live: {@code item_type}, {@code reason}, {@code message},
 *     {@code recovered} (true: {@code text} for agent messages or {@code output} (tail) for commands holds
 *     everything the item said so far and replaces what a viewer holds; false: it could not be read back).
 *     A part a reattaching runner can place exactly arrives instead as an ordinary delta with
 *     {@code recovered: true}.</li>
 * </ul>
 */
public enum StreamKind {
    AGENT_MESSAGE_DELTA, ITEM_STARTED, ITEM_COMPLETED, COMMAND_OUTPUT_DELTA, FILE_CHANGE, APPROVAL_REQUESTED,
    APPROVAL_RESOLVED, TOKEN_USAGE, TURN_STARTED, TURN_COMPLETED, TURN_FAILED, TURN_TIMED_OUT, TURN_INTERRUPTED,
    WORKER_STATE, ERROR, STREAM_GAP;

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
