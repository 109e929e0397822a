package io.devopsconsole.session.coordinator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.devopsconsole.events.CloudEventCodec;
import io.devopsconsole.events.DomainEvent;
import io.devopsconsole.events.EventJson;
import io.devopsconsole.platform.outbox.Outbox;
import io.devopsconsole.platform.problem.ConflictException;
import io.devopsconsole.platform.problem.ResourceNotFoundException;
import io.devopsconsole.session.session.SessionService;
import io.devopsconsole.session.transcript.NewEntry;
import io.devopsconsole.session.transcript.Transcript;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The coordinator's conversations and proposals in storage. A conversation is a transcript of kind
 * {@code coordinator} in the session table (one per operator), so it has the project sessions'
 * gap-free seq, storage and SSE fan-out; its records and the audit events about them commit together.
 */
@ApplicationScoped
public class Conversations {

    /** An operator's conversation: its codex thread and the onboarding run it is about, when known. */
    public record Conversation(UUID id, String operator, String thread, UUID run, String state) {}

    /** A proposed risky operation. */
    public record Proposal(
            UUID id,
            UUID conversationId,
            String tool,
            String arguments,
            String summary,
            String phrase,
            String state,
            OffsetDateTime expiresAt,
            String decidedBy,
            String outcome) {

        static final String COLUMNS =
                "id, conversation_id, tool, arguments, summary, phrase, state, expires_at, decided_by, outcome";

        static Proposal of(Row r) {
            return new Proposal(
                    r.getUUID("id"),
                    r.getUUID("conversation_id"),
                    r.getString("tool"),
                    r.getString("arguments"),
                    r.getString("summary"),
                    r.getString("phrase"),
                    r.getString("state"),
                    r.getOffsetDateTime("expires_at"),
                    r.getString("decided_by"),
                    r.getString("outcome"));
        }
    }

    private final Pool pool;
    private final Transcript transcript;
    private final String events;
    private final Outbox outbox;
    private final String sessions;
    private final String proposals;

    public Conversations(
            Pool pool, Transcript transcript, Outbox outbox, @ConfigProperty(name = "devops.schema") String schema) {
        this.pool = pool;
        this.transcript = transcript;
        this.outbox = outbox;
        this.sessions = schema + ".session";
        this.proposals = schema + ".coordinator_proposal";
        this.events = schema + ".session_event";
    }

    private static Conversation conversation(Row r) {
        return new Conversation(
                r.getUUID("id"),
                r.getString("started_by"),
                r.getString("coordinator_thread"),
                r.getUUID("coordinator_run"),
                r.getString("state"));
    }

    /**
     * The conversation's latest words, oldest first — what the operator said, the coordinator's answers
     * and its tool results, each clipped — for a codex thread that starts without the earlier ones (the
     * thread lived on another replica's app-server, or that server lost it).
     */
    public Uni<List<String>> recent(UUID id, int limit) {
        return pool.preparedQuery(
                        "SELECT kind, body FROM " + events + " WHERE session_id = $1 AND kind IN"
                                + " ('operator_message', 'item_completed', 'coordinator_tool_result') ORDER BY seq DESC LIMIT $2")
                .execute(Tuple.of(id, limit))
                .map(rows -> {
                    List<String> out = new ArrayList<>();
                    for (Row r : rows) {
                        JsonNode body;
                        try {
                            body = EventJson.mapper().readTree(r.getString("body"));
                        } catch (java.io.IOException e) {
                            continue;
                        }
                        String said = io.devopsconsole.platform.text.StoredText.clip(
                                body.path("text").asText(""), 600);
                        String who = switch (r.getString("kind")) {
                            case "operator_message" -> "operator";
                            case "item_completed" -> "coordinator";
                            default ->
                                "tool " + body.path("tool").asText("?") + " ("
                                        + body.path("outcome").asText("?") + ")";
                        };
                        out.add(0, who + ": " + said);
                    }
                    return out;
                });
    }

    private static final String CONVERSATION_COLUMNS = "id, started_by, coordinator_thread, coordinator_run, state";

    /** The operator's conversation, if they have one. */
    public Uni<Optional<Conversation>> find(String operator) {
        return pool.preparedQuery("SELECT " + CONVERSATION_COLUMNS + " FROM " + sessions
                        + " WHERE kind = 'coordinator' AND started_by = $1")
                .execute(Tuple.of(operator))
                .map(rows -> rows.size() == 0
                        ? Optional.empty()
                        : Optional.of(conversation(rows.iterator().next())));
    }

    /** The operator's conversation, created on first use (concurrent first uses create one). */
    public Uni<Conversation> open(String operator) {
        OffsetDateTime now = SessionService.now();
        return pool.preparedQuery("INSERT INTO " + sessions + " (id, kind, project_id, state, started_by, created_at,"
                        + " updated_at) VALUES ($1, 'coordinator', NULL, 'idle', $2, $3, $3)"
                        + " ON CONFLICT (started_by) WHERE kind = 'coordinator' DO NOTHING")
                .execute(Tuple.of(UUID.randomUUID(), operator, now))
                .flatMap(v -> find(operator))
                .map(Optional::orElseThrow);
    }

    /** Marks a turn as running: false when one is already running (and has not outlived {@code stale}). */
    public Uni<Boolean> beginTurn(UUID id, Duration stale) {
        OffsetDateTime now = SessionService.now();
        return pool.preparedQuery("UPDATE " + sessions + " SET state = 'active', updated_at = $2 WHERE id = $1"
                        + " AND kind = 'coordinator' AND (state = 'idle' OR updated_at < $3)")
                .execute(Tuple.of(id, now, now.minus(stale)))
                .map(rows -> rows.rowCount() == 1);
    }

    public Uni<Void> endTurn(UUID id) {
        return pool.preparedQuery("UPDATE " + sessions + " SET state = 'idle', updated_at = $2 WHERE id = $1"
                        + " AND kind = 'coordinator'")
                .execute(Tuple.of(id, SessionService.now()))
                .replaceWithVoid();
    }

    public Uni<Void> setThread(UUID id, String thread) {
        return pool.preparedQuery("UPDATE " + sessions + " SET coordinator_thread = $2 WHERE id = $1")
                .execute(Tuple.of(id, thread))
                .replaceWithVoid();
    }

    public Uni<Void> setRun(UUID id, UUID run) {
        return pool.preparedQuery("UPDATE " + sessions + " SET coordinator_run = $2 WHERE id = $1")
                .execute(Tuple.of(id, run))
                .replaceWithVoid();
    }

    /** A record to append: kind, actor and JSON body. */
    public record Entry(String kind, String actor, ObjectNode body) {
        public static Entry of(String kind, String actor, ObjectNode body) {
            return new Entry(kind, actor, body);
        }
    }

    /**
     * A record's body guarded for storage (ADR 0014): a NUL or a lone surrogate from the model or an API
     * answer is kept as a visible escape, never lost or refused; text already in the stored form (the
     * operator's words) passes unchanged.
     */
    private static String stored(ObjectNode body) {
        return io.devopsconsole.platform.text.StoredText.guardTree(body).toString();
    }

    public static ObjectNode body() {
        return EventJson.mapper().createObjectNode();
    }

    /**
     * Appends records to the conversation and records the audit events about them, in one
     * transaction (stamped with {@code actor}); the new last seq.
     */
    public Uni<Long> append(UUID id, List<Entry> entries, List<? extends DomainEvent> events, String actor) {
        OffsetDateTime now = SessionService.now();
        List<NewEntry> rows = new ArrayList<>(entries.size());
        for (Entry e : entries) {
            rows.add(NewEntry.of(e.kind(), e.actor(), stored(e.body()), now));
        }
        return pool.withTransaction(connection -> transcript
                .append(connection, id, rows)
                .flatMap(seq -> events.isEmpty()
                        ? Uni.createFrom().item(seq)
                        : outbox.recordAll(connection, events, actor, Map.of(CloudEventCodec.SESSION_ID, id.toString()))
                                .replaceWith(seq)));
    }

    public Uni<Long> append(UUID id, Entry entry) {
        return append(id, List.of(entry), List.of(), entry.actor() == null ? "coordinator" : entry.actor());
    }

    /** Stores a proposal and its card (and its audit event) together. */
    public Uni<Long> propose(Proposal p, String proposedBy, OffsetDateTime now, Entry card, DomainEvent event) {
        return pool.withTransaction(connection -> connection
                .preparedQuery("INSERT INTO " + proposals + " (id, conversation_id, tool, arguments, summary, phrase,"
                        + " state, proposed_by, proposed_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7,"
                        + " $8, $9)")
                .execute(Tuple.from(new Object[] {
                    p.id(),
                    p.conversationId(),
                    p.tool(),
                    p.arguments(),
                    p.summary(),
                    p.phrase(),
                    proposedBy,
                    now,
                    p.expiresAt()
                }))
                .flatMap(v -> transcript.append(
                        connection,
                        p.conversationId(),
                        List.of(NewEntry.of(card.kind(), card.actor(), stored(card.body()), now))))
                .flatMap(seq -> outbox.recordAll(
                                connection,
                                List.of(event),
                                proposedBy,
                                Map.of(
                                        CloudEventCodec.SESSION_ID,
                                        p.conversationId().toString()))
                        .replaceWith(seq)));
    }

    public Uni<Proposal> proposal(UUID conversationId, UUID id) {
        return pool.preparedQuery(
                        "SELECT " + Proposal.COLUMNS + " FROM " + proposals + " WHERE id = $1 AND conversation_id = $2")
                .execute(Tuple.of(id, conversationId))
                .map(rows -> {
                    if (rows.size() == 0) {
                        throw new ResourceNotFoundException("proposal", id);
                    }
                    return Proposal.of(rows.iterator().next());
                });
    }

    /** The conversation's pending proposals that have not expired, newest first. */
    public Uni<List<Proposal>> pending(UUID conversationId) {
        return pool.preparedQuery("SELECT " + Proposal.COLUMNS + " FROM " + proposals
                        + " WHERE conversation_id = $1 AND state = 'pending' AND expires_at > $2"
                        + " ORDER BY proposed_at DESC")
                .execute(Tuple.of(conversationId, SessionService.now()))
                .map(rows -> {
                    List<Proposal> out = new ArrayList<>();
                    rows.forEach(r -> out.add(Proposal.of(r)));
                    return out;
                });
    }

    /**
     * Decides a pending proposal ({@code confirmed} or {@code cancelled}) exactly once: of concurrent
     * decisions one wins, the others get 409; an expired one is marked so and is 409 too.
     */
    public Uni<Proposal> decide(UUID conversationId, UUID id, String decision, String who) {
        OffsetDateTime now = SessionService.now();
        return pool.preparedQuery("UPDATE " + proposals + " SET state = $3, decided_at = $4, decided_by = $5"
                        + " WHERE id = $1 AND conversation_id = $2 AND state = 'pending' AND expires_at > $4"
                        + " RETURNING " + Proposal.COLUMNS)
                .execute(Tuple.of(id, conversationId, decision, now, who))
                .flatMap(rows -> {
                    if (rows.size() == 1) {
                        return Uni.createFrom().item(Proposal.of(rows.iterator().next()));
                    }
                    return proposal(conversationId, id).map(p -> {
                        if (p.state().equals("pending")) {
                            throw new ConflictException(
                                    "proposal " + id + " expired at " + p.expiresAt() + "; ask again for a new one");
                        }
                        throw new ConflictException("proposal " + id + " is already " + p.state()
                                + (p.decidedBy() == null ? "" : " (by " + p.decidedBy() + ")"));
                    });
                });
    }

    /** Records what a confirmed proposal's operation did. */
    public Uni<Void> finish(UUID id, String outcome) {
        return pool.preparedQuery("UPDATE " + proposals + " SET outcome = $2 WHERE id = $1")
                .execute(Tuple.of(id, outcome))
                .replaceWithVoid();
    }

    /** Marks every pending proposal past its time as expired; the ones this call expired (each exactly once). */
    public Uni<List<Proposal>> expireOverdue() {
        OffsetDateTime now = SessionService.now();
        return pool.preparedQuery("UPDATE " + proposals + " SET state = 'expired', decided_at = $1"
                        + " WHERE state = 'pending' AND expires_at <= $1 RETURNING " + Proposal.COLUMNS)
                .execute(Tuple.of(now))
                .map(rows -> {
                    List<Proposal> out = new ArrayList<>();
                    rows.forEach(r -> out.add(Proposal.of(r)));
                    return out;
                });
    }

    /** The JSON of a stored proposal's arguments. */
    public static ObjectNode arguments(Proposal p) {
        try {
            JsonNode node = EventJson.mapper().readTree(p.arguments());
            return node instanceof ObjectNode o ? o : body();
        } catch (java.io.IOException e) {
            return body();
        }
    }
}
