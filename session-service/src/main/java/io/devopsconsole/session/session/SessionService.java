package io.devopsconsole.session.session;

import io.devopsconsole.events.CloudEventCodec;
import io.devopsconsole.events.DomainEvent;
import io.devopsconsole.events.EventJson;
import io.devopsconsole.events.agent.InterruptRequested;
import io.devopsconsole.events.agent.StopWorker;
import io.devopsconsole.events.agent.TurnRequested;
import io.devopsconsole.events.session.OperatorMessagePosted;
import io.devopsconsole.events.session.SessionCreated;
import io.devopsconsole.events.session.SessionStateChanged;
import io.devopsconsole.platform.outbox.Outbox;
import io.devopsconsole.platform.problem.ConflictException;
import io.devopsconsole.platform.problem.UniqueViolation;
import io.devopsconsole.platform.security.CurrentActor;
import io.devopsconsole.session.transcript.NewEntry;
import io.devopsconsole.session.transcript.Transcript;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Session lifecycle and operator messages. Every change, its transcript events and the events or
 * runner commands announcing it commit in one transaction (outbox rows on the same connection).
 */
@ApplicationScoped
public class SessionService {

    static final String ONE_LIVE_PER_PROJECT = "session_one_live_per_project";

    private final Pool pool;
    private final SessionStore sessions;
    private final Transcript transcript;
    private final Outbox outbox;
    private final CurrentActor actor;

    private final io.devopsconsole.session.handoff.ProjectProjection projects;

    public SessionService(
            Pool pool,
            SessionStore sessions,
            Transcript transcript,
            Outbox outbox,
            CurrentActor actor,
            io.devopsconsole.session.handoff.ProjectProjection projects) {
        this.projects = projects;
        this.pool = pool;
        this.sessions = sessions;
        this.transcript = transcript;
        this.outbox = outbox;
        this.actor = actor;
    }

    public static OffsetDateTime now() {
        return OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MICROS);
    }

    /** Publishes events from inside a transaction, tagged with the session (CloudEvent extension). */
    public Uni<Void> announce(
            SqlConnection connection, UUID sessionId, String who, List<? extends DomainEvent> events) {
        return outbox.recordAll(connection, events, who, Map.of(CloudEventCodec.SESSION_ID, sessionId.toString()));
    }

    /**
     * Opens the project's session: 400 for a project id the registry never announced, 409 for an
     * archived project. The database allows one non-final session per project: of many concurrent
     * requests exactly one succeeds, the others get 409 naming the live session.
     */
    public Uni<SessionView> create(SessionRequests.CreateSessionRequest request) {
        UUID id = UUID.randomUUID();
        String policy = request.approvalPolicy() == null ? "manual" : request.approvalPolicy();
        return projects.requireOpen(request.projectId())
                .flatMap(known -> actor.name())
                .flatMap(who ->
                        pool.withTransaction(connection -> createIn(connection, id, request.projectId(), policy, who)))
                .onFailure(f -> UniqueViolation.of(f, ONE_LIVE_PER_PROJECT))
                .recoverWithUni(f -> liveConflict(request.projectId()))
                .flatMap(v -> sessions.get(id));
    }

    /** Inside a transaction: opens the session (the unique index refuses a second live one). */
    public Uni<Void> createIn(SqlConnection connection, UUID id, UUID projectId, String policy, String who) {
        OffsetDateTime now = now();
        return sessions.insert(connection, id, projectId, who, policy, now)
                .flatMap(v -> transcript.append(
                        connection,
                        id,
                        List.of(NewEntry.of("status", who, status(SessionState.REQUESTED, "opened by " + who), now))))
                .flatMap(v -> announce(
                        connection,
                        id,
                        who,
                        List.of(new SessionCreated(id, projectId, SessionState.REQUESTED.wire(), who))));
    }

    /** The 409 for a project that already has a live session, naming it. */
    public <T> Uni<T> liveConflict(UUID projectId) {
        return sessions.live(projectId).map(live -> {
            throw new ConflictException(
                    "project_id",
                    "project " + projectId + " already has a live session "
                            + live.map(s -> s.id() + " (" + s.state().wire() + ")")
                                    .orElse("(it has just ended; retry)")
                            + "; stop it or reattach to it");
        });
    }

    /** Stores the operator's message and, in the same transaction, the TurnRequested command for the runner. */
    public Uni<MessagePosted> postMessage(UUID sessionId, String text, UUID targetId) {
        return actor.name()
                .flatMap(who -> pool.withTransaction(connection -> postIn(connection, sessionId, text, who, targetId)));
    }

    /** Inside a transaction: stores the operator's message and hands the turn to the runner. */
    public Uni<MessagePosted> postIn(SqlConnection connection, UUID sessionId, String text, String who) {
        return postIn(connection, sessionId, text, who, null);
    }

    /** The same, for a turn on one of the project's bound targets (null: the primary one). */
    public Uni<MessagePosted> postIn(SqlConnection connection, UUID sessionId, String text, String who, UUID targetId) {
        return sessions.lock(connection, sessionId).flatMap(locked -> {
            SessionView s = locked.view();
            if (!s.state().acceptsMessages()) {
                throw new ConflictException(
                        "session " + sessionId + " is " + s.state().wire() + " and takes no messages");
            }
            OffsetDateTime now = now();
            UUID messageId = UUID.randomUUID();
            var json = EventJson.mapper().createObjectNode().put("text", text);
            if (targetId != null) {
                json.put("target_id", targetId.toString());
            }
            String body = json.toString();
            NewEntry entry = new NewEntry(messageId, "operator_message", who, null, null, targetId, null, now, body);
            return transcript
                    .append(connection, sessionId, List.of(entry))
                    .flatMap(seq -> sessions.setTurnOperator(connection, sessionId, who)
                            .flatMap(v -> announce(
                                    connection,
                                    sessionId,
                                    who,
                                    List.of(
                                            new OperatorMessagePosted(
                                                    sessionId, s.projectId(), messageId, seq, text.length()),
                                            new TurnRequested(
                                                    sessionId, s.projectId(), messageId, seq, text, who, targetId))))
                            .replaceWith(new MessagePosted(messageId, seq, s.state())));
        });
    }

    /** The stored message: its id and transcript position. */
    public record MessagePosted(UUID messageId, long seq, SessionState sessionState) {}

    /**
     * Stops the session: a session no worker ever ran for stops at once; otherwise it is stopping
     * until the runner reports the worker stopped. Stopping twice is harmless; a final session is 409.
     */
    public Uni<SessionView> stop(UUID sessionId, String reason) {
        return actor.name()
                .flatMap(who -> pool.withTransaction(connection -> sessions.lock(connection, sessionId)
                        .flatMap(locked -> {
                            SessionView s = locked.view();
                            if (s.state().isFinal()) {
                                throw new ConflictException("session " + sessionId + " has already ended ("
                                        + s.state().wire() + ")");
                            }
                            if (s.state() == SessionState.STOPPING) {
                                return Uni.createFrom().voidItem();
                            }
                            String why = reason == null || reason.isBlank()
                                    ? "stopped by " + who
                                    : reason.strip() + " (" + who + ")";
                            SessionState to =
                                    s.state() == SessionState.REQUESTED ? SessionState.STOPPED : SessionState.STOPPING;
                            List<DomainEvent> events = new ArrayList<>();
                            events.add(new SessionStateChanged(
                                    sessionId, s.projectId(), s.state().wire(), to.wire(), why));
                            if (to == SessionState.STOPPING) {
                                events.add(new StopWorker(sessionId, who, why));
                            }
                            return move(connection, locked, to, why, null, who)
                                    .flatMap(v -> announce(connection, sessionId, who, events));
                        })))
                .flatMap(v -> sessions.get(sessionId));
    }

    /** Asks the runner to interrupt the running turn (the stream reports when it did). */
    public Uni<Void> interrupt(UUID sessionId) {
        return actor.name()
                .flatMap(who -> pool.withTransaction(connection -> sessions.lock(connection, sessionId)
                        .flatMap(locked -> {
                            SessionState state = locked.view().state();
                            if (state != SessionState.ACTIVE && state != SessionState.WAITING_APPROVAL) {
                                throw new ConflictException(
                                        "session " + sessionId + " has no running turn (" + state.wire() + ")");
                            }
                            return transcript
                                    .append(
                                            connection,
                                            sessionId,
                                            List.of(NewEntry.of(
                                                    "system_note", who, note("interrupt requested by " + who), now())))
                                    .flatMap(v -> announce(
                                            connection,
                                            sessionId,
                                            who,
                                            List.of(new InterruptRequested(sessionId, who))));
                        })));
    }

    /**
     * Inside a transaction holding the session lock: moves the session to {@code to} (refused with
     * 409 when the lifecycle does not allow it) and adds a status event to the transcript.
     */
    public Uni<Long> move(
            SqlConnection connection,
            SessionStore.Locked locked,
            SessionState to,
            String reason,
            String turnOperator,
            String who) {
        SessionView s = locked.view();
        if (!s.state().canMoveTo(to)) {
            throw new ConflictException(
                    "session " + s.id() + " cannot go from " + s.state().wire() + " to " + to.wire());
        }
        OffsetDateTime now = now();
        return sessions.setState(connection, s.id(), to, reason, turnOperator, now)
                .flatMap(v -> transcript.append(
                        connection, s.id(), List.of(NewEntry.of("status", who, status(to, reason), now))));
    }

    /**
     * A note about the agent-runner driving a live session ({@code runner_lost}, {@code runner_back}),
     * written once whichever replica writes it: its id is derived from {@code key}. Nothing is written
     * for a session that has ended.
     */
    public Uni<Void> runnerNote(UUID sessionId, String key, String code, String runner, String text) {
        UUID id = UUID.nameUUIDFromBytes(
                key.concat(":").concat(sessionId.toString()).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        String body = EventJson.mapper()
                .createObjectNode()
                .put("text", text)
                .put("code", code)
                .put("runner", runner)
                .toString();
        return pool.withTransaction(connection -> sessions.lock(connection, sessionId)
                .flatMap(locked -> {
                    if (locked.view().state().isFinal()) {
                        return Uni.createFrom().voidItem();
                    }
                    return transcript
                            .has(connection, id)
                            .flatMap(written -> written
                                    ? Uni.createFrom().voidItem()
                                    : transcript
                                            .append(
                                                    connection,
                                                    sessionId,
                                                    List.of(new NewEntry(
                                                            id,
                                                            "system_note",
                                                            "session-service",
                                                            null,
                                                            null,
                                                            null,
                                                            null,
                                                            now(),
                                                            body)))
                                            .replaceWithVoid());
                }));
    }

    public static String status(SessionState state, String reason) {
        return EventJson.mapper()
                .createObjectNode()
                .put("state", state.wire())
                .put("reason", reason)
                .toString();
    }

    public static String note(String text) {
        return EventJson.mapper().createObjectNode().put("text", text).toString();
    }
}
