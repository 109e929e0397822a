package io.devopsconsole.session.session;

import com.fasterxml.jackson.databind.JsonNode;
import io.devopsconsole.events.EventJson;
import io.vertx.mutiny.sqlclient.Row;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

/**
 * A session as a project's history lists it: the session's own fields, what it was about
 * ({@code first_message}: the operator's first message, clipped to 200 characters), where its worker
 * ran ({@code target_name} and {@code working_directory} from its newest worker record; null when no
 * worker ever started), what needs attention in a live session ({@code attention}: {@code runner_lost}
 * while the agent-runner driving it has stopped answering (until another one took it over),
 * {@code worker_lost} when its worker's newest report is lost or failed, {@code command_stuck} when the
 * newest runner record says a command went quiet; null otherwise) and the tokens its threads used.
 */
public record SessionSummary(
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
        long version,
        String firstMessage,
        String targetName,
        String workingDirectory,
        String attention,
        long totalTokens) {

    static final int FIRST_MESSAGE_CHARS = 200;

    static SessionSummary of(Row r) {
        SessionView v = SessionView.of(r);
        JsonNode worker = json(r.getString("worker"));
        String first = json(r.getString("first_message")).path("text").asText(null);
        first = io.devopsconsole.platform.text.StoredText.clip(first, FIRST_MESSAGE_CHARS);
        Long tokens = r.getLong("total_tokens");
        return new SessionSummary(
                v.id(),
                v.projectId(),
                v.state(),
                v.stateReason(),
                v.startedBy(),
                v.approvalPolicy(),
                v.turnOperator(),
                v.lastSeq(),
                v.createdAt(),
                v.updatedAt(),
                v.endedAt(),
                v.version(),
                first,
                worker.path("target_name").asText(null),
                worker.path("working_directory").asText(null),
                r.getString("attention"),
                tokens == null ? 0 : tokens);
    }

    private static JsonNode json(String body) {
        if (body == null) {
            return EventJson.mapper().createObjectNode();
        }
        try {
            return EventJson.mapper().readTree(body);
        } catch (java.io.IOException e) {
            return EventJson.mapper().createObjectNode(); // stored bodies are JSON; a bad one only loses the summary
        }
    }

    /** A page of a project's history, newest first; {@code next_before} continues it (null on the last page). */
    public record Page(List<SessionSummary> items, OffsetDateTime nextBefore) {}
}
