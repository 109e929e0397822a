package io.devopsconsole.session.approval;

import io.vertx.mutiny.sqlclient.Row;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

/** An approval as the API shows it. */
public record ApprovalView(
        UUID id,
        UUID sessionId,
        String requestId,
        String kind,
        String summary,
        String command,
        String cwd,
        String reason,
        String risk,
        String turnId,
        UUID targetId,
        String state,
        OffsetDateTime requestedAt,
        OffsetDateTime expiresAt,
        OffsetDateTime decidedAt,
        String decidedBy,
        boolean automatic,
        String decisionReason) {

    static final String COLUMNS =
            "id, session_id, request_id, kind, summary, command, cwd, reason, risk, turn_id, target_id,"
                    + " state, requested_at, expires_at, decided_at, decided_by, automatic, decision_reason";

    static ApprovalView of(Row r) {
        return new ApprovalView(
                r.getUUID("id"),
                r.getUUID("session_id"),
                r.getString("request_id"),
                r.getString("kind"),
                r.getString("summary"),
                r.getString("command"),
                r.getString("cwd"),
                r.getString("reason"),
                r.getString("risk"),
                r.getString("turn_id"),
                r.getUUID("target_id"),
                r.getString("state"),
                r.getOffsetDateTime("requested_at"),
                r.getOffsetDateTime("expires_at"),
                r.getOffsetDateTime("decided_at"),
                r.getString("decided_by"),
                r.getBoolean("automatic"),
                r.getString("decision_reason"));
    }

    public record Page(List<ApprovalView> items) {}

    /** A decision: {@code approved} or {@code denied}, with an optional reason. */
    public record DecisionRequest(
            @jakarta.validation.constraints.NotNull
            @jakarta.validation.constraints.Pattern(regexp = "approved|denied", message = "must be approved or denied")
            String decision,

            @jakarta.validation.constraints.Size(max = 500) String reason) {}
}
