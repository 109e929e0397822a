package io.devopsconsole.events.agent.stream;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import io.devopsconsole.events.Risk;
import io.devopsconsole.events.agent.StreamKind;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * The payload of an agent stream record, one type per {@link StreamKind} — the contract from codex
 * to the browser. JSON: snake_case fields; an optional field is {@code null} or absent. The JSON
 * Schema ({@code stream-record.schema.json}) and the console's TypeScript types
 * ({@code console-ui/web/src/generated/stream-records.ts}) are generated from these types
 * ({@link StreamContract}); shared fixtures ({@code stream-fixtures/}) show each kind.
 *
 * <p>What a record means is decided here, by the runner's mapping, once: a turn has ended when its
 * payload is a {@link TurnEnded} (with its {@link TurnOutcome}); a command has completed when an
 * {@link ItemCompleted.Command} arrives (with its {@link CommandOutcome}). Consumers read these;
 * they do not re-derive them from statuses and exit codes.
 */
public sealed interface StreamPayload {

    /** The kind of record that carries this payload. */
    StreamKind streamKind();

    /** A piece of the agent's message as the model produces it ({@code recovered}: read back after a reattach). */
    record AgentMessageDelta(String delta, Boolean recovered) implements StreamPayload {
        public StreamKind streamKind() {
            return StreamKind.AGENT_MESSAGE_DELTA;
        }
    }

    /** A piece of a running command's output ({@code recovered}: read back after a reattach). */
    record CommandOutputDelta(String delta, Boolean recovered) implements StreamPayload {
        public StreamKind streamKind() {
            return StreamKind.COMMAND_OUTPUT_DELTA;
        }
    }

    /** One file a file-change item touches: its path, {@code add}, {@code delete} or {@code update}, and the diff. */
    record FileChange(String path, String kind, String diff) {}

    /** One file of a file-change item, as its own record (after the item's start). */
    record FileChangeRecord(String path, String kind, String diff) implements StreamPayload {
        public StreamKind streamKind() {
            return StreamKind.FILE_CHANGE;
        }
    }

    /**
     * An item began; {@code item_type} says which ({@code agent_message}, {@code command_execution},
     * {@code file_change}, {@code reasoning}, or another type codex reports, in snake_case).
     */
    sealed interface ItemStarted extends StreamPayload {
        String itemType();

        default StreamKind streamKind() {
            return StreamKind.ITEM_STARTED;
        }

        record AgentMessage(String itemType) implements ItemStarted {}

        record Command(String itemType, String command, String cwd) implements ItemStarted {}

        record FileChanges(String itemType, List<FileChange> changes) implements ItemStarted {}

        /** Reasoning and any other item type: nothing more than its type. */
        record Other(String itemType) implements ItemStarted {}
    }

    /**
     * An item ended ({@code status} as codex reported it, or {@code incomplete}/{@code interrupted}/...
     * when the turn ended first).
     */
    sealed interface ItemCompleted extends StreamPayload {
        String itemType();

        String status();

        default StreamKind streamKind() {
            return StreamKind.ITEM_COMPLETED;
        }

        /** The agent's whole message. */
        record AgentMessage(String itemType, String status, String text) implements ItemCompleted {}

        /**
         * A command ran (or was declined, or was cut off): {@code outcome} says which, decided by the
         * runner; {@code output} is the redacted tail (last 4,096 characters) and {@code output_chars}
         * how many characters the whole output had (the whole output is in the item's
         * {@code command_output_delta} records, up to the runner's limit); {@code duration_ms} with
         * {@code duration_source} ({@code codex}, {@code codex_timestamps}, {@code measured_by_runner}:
         * approval wait included) when known; {@code approval_request_id} when it waited for approval.
         */
        record Command(
                String itemType,
                String status,
                CommandOutcome outcome,
                String command,
                String cwd,
                Integer exitCode,
                Long durationMs,
                String durationSource,
                String output,
                Integer outputChars,
                String approvalRequestId)
                implements ItemCompleted {}

        record FileChanges(String itemType, String status, List<FileChange> changes) implements ItemCompleted {}

        /** Reasoning (its summary as {@code text}) and any other item type. */
        record Other(String itemType, String status, String text) implements ItemCompleted {}
    }

    /**
     * The agent asks to run a command or apply file changes: {@code request_id} is
     * {@code <turnId>:<itemId>}; {@code risk} is judged by the runner ({@link Risk#ofCommand};
     * file changes are elevated).
     */
    record ApprovalRequested(
            String requestId,
            ApprovalKind approvalKind,
            String command,
            String cwd,
            String reason,
            Risk risk,
            List<FileChange> changes)
            implements StreamPayload {
        public StreamKind streamKind() {
            return StreamKind.APPROVAL_REQUESTED;
        }
    }

    /** The app-server no longer waits for the approval: the decision sent ({@code accept}, {@code decline}, ...) or {@code cleared}. */
    record ApprovalResolved(String requestId, String decision) implements StreamPayload {
        public StreamKind streamKind() {
            return StreamKind.APPROVAL_RESOLVED;
        }
    }

    /**
     * The thread's running token totals, the last model response's ({@code last_total_tokens}) and
     * this turn's own ({@code turn_total_tokens}).
     */
    record TokenUsage(
            long inputTokens,
            long cachedInputTokens,
            long outputTokens,
            long totalTokens,
            long lastTotalTokens,
            long turnTotalTokens,
            String threadId,
            String scope)
            implements StreamPayload {
        public StreamKind streamKind() {
            return StreamKind.TOKEN_USAGE;
        }
    }

    /** A turn began. */
    record TurnStarted() implements StreamPayload {
        public StreamKind streamKind() {
            return StreamKind.TURN_STARTED;
        }
    }

    /**
     * A turn ended, and how ({@code message} for a failed or timed-out turn). The record's kind is
     * {@code turn_<outcome>}.
     */
    record TurnEnded(TurnOutcome outcome, String message) implements StreamPayload {
        public StreamKind streamKind() {
            return outcome.kind();
        }
    }

    /**
     * The worker's state: {@code starting}, {@code ready} (with {@code thread_id}), {@code detached}
     * (a durable worker's connection dropped; {@code detached_ms}), {@code reattaching},
     * {@code reattached}, {@code command_stuck} ({@code item_id}, {@code command}, {@code quiet_ms}),
     * {@code lost}, {@code stopped}, {@code failed}.
     */
    record WorkerState(
            String state,
            String transport,
            String targetName,
            String workingDirectory,
            UUID workerId,
            String threadId,
            String message,
            Long detachedMs,
            String itemId,
            String command,
            Long quietMs)
            implements StreamPayload {
        public StreamKind streamKind() {
            return StreamKind.WORKER_STATE;
        }
    }

    /**
     * Something went wrong: from the app-server {@code will_retry}, {@code codex_error},
     * {@code provider_details}; from session-service, in place of a record it could not store,
     * {@code source} and {@code dead_lettered_kind}.
     */
    record Error(
            String message,
            Boolean willRetry,
            String codexError,
            String providerDetails,
            String source,
            String deadLetteredKind)
            implements StreamPayload {
        public StreamKind streamKind() {
            return StreamKind.ERROR;
        }
    }

    /**
     * An item ran while no runner was attached and what it produced meanwhile was not streamed live:
     * {@code recovered} true — {@code text} (agent messages) or {@code output} (command tail) holds all
     * the item said so far and replaces what a viewer holds; false — it could not be read back
     * ({@code streamed_chars}: how much had been streamed live).
     */
    record StreamGap(
            String itemType,
            String reason,
            String message,
            boolean recovered,
            String text,
            String output,
            Integer streamedChars)
            implements StreamPayload {
        public StreamKind streamKind() {
            return StreamKind.STREAM_GAP;
        }
    }

    /**
     * A file the operator attached to the session, as the runner left it on the worker's host:
     * {@code copied} to {@code path} (its SHA-256 checked there), or {@code failed} with
     * {@code message} saying why.
     */
    record AttachmentCopied(
            String attachmentId, String name, String state, String path, Long sizeBytes, String sha256, String message)
            implements StreamPayload {
        public StreamKind streamKind() {
            return StreamKind.ATTACHMENT_COPIED;
        }
    }

    /** Whether the agent asks to run a command or to apply file changes. */
    enum ApprovalKind {
        COMMAND,
        FILE_CHANGE;

        @JsonValue
        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }

        @JsonCreator
        public static ApprovalKind of(String wire) {
            return Arrays.stream(values())
                    .filter(t -> t.wire().equals(wire))
                    .findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("unknown approval kind " + wire));
        }
    }

    /** How a turn ended; each outcome is its own record kind. */
    enum TurnOutcome {
        COMPLETED(StreamKind.TURN_COMPLETED),
        FAILED(StreamKind.TURN_FAILED),
        TIMED_OUT(StreamKind.TURN_TIMED_OUT),
        INTERRUPTED(StreamKind.TURN_INTERRUPTED);

        private final StreamKind kind;

        TurnOutcome(StreamKind kind) {
            this.kind = kind;
        }

        public StreamKind kind() {
            return kind;
        }

        @JsonValue
        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }

        @JsonCreator
        public static TurnOutcome of(String wire) {
            return Arrays.stream(values())
                    .filter(t -> t.wire().equals(wire))
                    .findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("unknown turn outcome " + wire));
        }

        public static TurnOutcome of(StreamKind kind) {
            return Arrays.stream(values())
                    .filter(t -> t.kind == kind)
                    .findFirst()
                    .orElseThrow(() -> new IllegalArgumentException(kind.wire() + " does not end a turn"));
        }
    }

    /**
     * How a command ended, decided by the runner: {@code succeeded} (exit 0), {@code failed} (another
     * exit code, or codex reported it failed), {@code declined} (its approval was declined or
     * expired: it never ran), {@code interrupted} (the turn was interrupted while it ran),
     * {@code incomplete} (the turn ended, or the runner lost it, before it did).
     */
    enum CommandOutcome {
        SUCCEEDED,
        FAILED,
        DECLINED,
        INTERRUPTED,
        INCOMPLETE;

        @JsonValue
        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }

        @JsonCreator
        public static CommandOutcome of(String wire) {
            return Arrays.stream(values())
                    .filter(t -> t.wire().equals(wire))
                    .findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("unknown command outcome " + wire));
        }

        /** The outcome of a command from codex's status and exit code. */
        public static CommandOutcome of(String status, Integer exitCode) {
            if (status != null) {
                switch (status) {
                    case "declined", "denied", "rejected" -> {
                        return DECLINED;
                    }
                    case "interrupted" -> {
                        return INTERRUPTED;
                    }
                    case "incomplete", "inProgress", "in_progress", "timed_out", "lost" -> {
                        return INCOMPLETE;
                    }
                    case "failed" -> {
                        return FAILED;
                    }
                    default -> {
                        // completed (or unknown): the exit code decides
                    }
                }
            }
            if (exitCode == null) {
                return "completed".equals(status) ? SUCCEEDED : INCOMPLETE;
            }
            return exitCode == 0 ? SUCCEEDED : FAILED;
        }
    }
}
