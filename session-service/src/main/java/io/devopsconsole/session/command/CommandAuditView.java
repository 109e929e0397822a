package io.devopsconsole.session.command;

import io.vertx.mutiny.sqlclient.Row;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

/** What the agent ran: where, in which directory, how it ended, the (redacted) end of its output, the approval. */
public record CommandAuditView(
        UUID id,
        UUID sessionId,
        String turnId,
        String itemId,
        UUID targetId,
        String command,
        String cwd,
        Integer exitCode,
        Long durationMs,
        String outputTail,
        UUID approvalId,
        OffsetDateTime startedAt,
        OffsetDateTime completedAt) {

    public static final String COLUMNS =
            "id, session_id, turn_id, item_id, target_id, command, cwd, exit_code, duration_ms,"
                    + " output_tail, approval_id, started_at, completed_at";

    public static CommandAuditView of(Row r) {
        return new CommandAuditView(
                r.getUUID("id"),
                r.getUUID("session_id"),
                r.getString("turn_id"),
                r.getString("item_id"),
                r.getUUID("target_id"),
                r.getString("command"),
                r.getString("cwd"),
                r.getInteger("exit_code"),
                r.getLong("duration_ms"),
                r.getString("output_tail"),
                r.getUUID("approval_id"),
                r.getOffsetDateTime("started_at"),
                r.getOffsetDateTime("completed_at"));
    }

    public record Page(List<CommandAuditView> items) {}
}
