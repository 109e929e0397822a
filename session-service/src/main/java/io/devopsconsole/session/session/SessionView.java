package io.devopsconsole.session.session;

import io.vertx.mutiny.sqlclient.Row;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

/** A session as the API shows it. {@code last_seq} is the newest transcript position. */
public record SessionView(
        UUID id,
        UUID projectId,
        SessionState state,
        String stateReason,
        String startedBy,
        String approvalPolicy,
        String turnOperator,
        long lastSeq,
        OffsetDateTime createdAt,
        OffsetDateTime updatedAt,
        OffsetDateTime endedAt,
        long version) {

    static final String COLUMNS = "id, project_id, state, state_reason, started_by, approval_policy, turn_operator,"
            + " last_seq, created_at, updated_at, ended_at, version";

    static SessionView of(Row r) {
        return new SessionView(
                r.getUUID("id"),
                r.getUUID("project_id"),
                SessionState.fromWire(r.getString("state")),
                r.getString("state_reason"),
                r.getString("started_by"),
                r.getString("approval_policy"),
                r.getString("turn_operator"),
                r.getLong("last_seq"),
                r.getOffsetDateTime("created_at"),
                r.getOffsetDateTime("updated_at"),
                r.getOffsetDateTime("ended_at"),
                r.getLong("version"));
    }

    public record Page(List<SessionView> items) {}
}
