package io.devopsconsole.session.approval;

import com.fasterxml.jackson.databind.JsonNode;
import io.devopsconsole.events.DomainEvent;
import io.devopsconsole.events.EventJson;
import io.devopsconsole.events.agent.AgentStreamRecord;
import io.devopsconsole.events.agent.ApprovalDecided;
import io.devopsconsole.events.session.ApprovalRequested;
import io.devopsconsole.events.session.ApprovalResolved;
import io.devopsconsole.events.session.SessionStateChanged;
import io.devopsconsole.platform.problem.ConflictException;
import io.devopsconsole.platform.problem.ResourceNotFoundException;
import io.devopsconsole.platform.security.Roles;
import io.devopsconsole.session.SessionConfig;
import io.devopsconsole.session.session.SessionService;
import io.devopsconsole.session.session.SessionState;
import io.devopsconsole.session.session.SessionStore;
import io.devopsconsole.session.session.SessionView;
import io.devopsconsole.session.transcript.NewEntry;
import io.devopsconsole.session.transcript.Transcript;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Approvals: opened from the agent's requests (pending), decided by the session's operator or an
 * approver, by the session's policy for benign requests, or expired after the timeout. Each
 * decision is recorded with who and why, announced, and sent to the runner as ApprovalDecided
 * (an expired request is answered "denied"), in one transaction.
 */
@ApplicationScoped
public class Approvals {

    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(Approvals.class);

    private static final String TIMEOUT_ACTOR = "system:approval-timeout";

    private final Pool pool;
    private final SessionStore sessions;
    private final SessionService service;
    private final Transcript transcript;
    private final SessionConfig config;
    private final String table;
    private final String commands;
    private final String sessionTable;

    public Approvals(
            Pool pool,
            SessionStore sessions,
            SessionService service,
            Transcript transcript,
            SessionConfig config,
            @ConfigProperty(name = "devops.schema") String schema) {
        this.pool = pool;
        this.sessions = sessions;
        this.service = service;
        this.transcript = transcript;
        this.config = config;
        this.table = schema + ".approval";
        this.commands = schema + ".command_audit";
        this.sessionTable = schema + ".session";
    }

    /** Inside the stream transaction: the agent asked for approval. */
    public Uni<Void> opened(SqlConnection connection, SessionView session, AgentStreamRecord r, JsonNode payload) {
        String requestId = text(
                payload,
                "request_id",
                r.itemId() != null ? r.itemId() : r.recordId().toString());
        String kind = "file_change".equals(payload.path("approval_kind").asText()) ? "file_change" : "command";
        String command = text(payload, "command", null);
        String cwd = text(payload, "cwd", null);
        String reason = text(payload, "reason", null);
        // judged once, by the runner's mapping (older records without it: judged here the same way)
        String risk = io.devopsconsole.events.Risk.of(text(payload, "risk", null))
                .orElseGet(() -> kind.equals("file_change")
                        ? io.devopsconsole.events.Risk.ELEVATED
                        : io.devopsconsole.events.Risk.ofCommand(command))
                .wire();
        String summary = kind.equals("command")
                ? "run: " + (command == null ? "(unnamed command)" : command) + (cwd == null ? "" : " (in " + cwd + ")")
                : "apply file changes" + (reason == null ? "" : " (" + reason + ")");
        OffsetDateTime now = SessionService.now();
        UUID id = UUID.randomUUID();
        return connection
                .preparedQuery("INSERT INTO " + table + " (id, session_id, request_id, kind, summary, command, cwd,"
                        + " reason, risk, turn_id, target_id, state, requested_at, expires_at)"
                        + " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'pending', $12, $13)"
                        + " ON CONFLICT (session_id, request_id) DO NOTHING RETURNING id")
                .execute(Tuple.from(new Object[] {
                    id,
                    session.id(),
                    requestId,
                    kind,
                    summary,
                    command,
                    cwd,
                    reason,
                    risk,
                    r.turnId(),
                    r.targetId(),
                    now,
                    now.plus(config.approvalTimeout())
                }))
                .flatMap(rows -> {
                    if (rows.size() == 0) {
                        return reanswer(connection, session.id(), requestId);
                    }
                    Uni<Void> announced = service.announce(
                            connection,
                            session.id(),
                            "agent-runner",
                            List.of(new ApprovalRequested(id, session.id(), kind, summary, risk)));
                    if ("auto_approve_benign".equals(session.approvalPolicy())
                            && io.devopsconsole.events.Risk.BENIGN.wire().equals(risk)
                            && session.turnOperator() != null) {
                        return announced
                                .flatMap(v -> lockApproval(connection, id))
                                .flatMap(a -> decide(
                                        connection,
                                        a,
                                        "approved",
                                        session.turnOperator(),
                                        true,
                                        "benign request approved by the session's policy for "
                                                + session.turnOperator()));
                    }
                    return announced;
                });
    }

    /**
     * A request the runner sends again (after reattaching) that is already decided: the runner
     * gets the recorded decision again instead of a second approval card.
     */
    private Uni<Void> reanswer(SqlConnection connection, UUID sessionId, String requestId) {
        return connection
                .preparedQuery("SELECT " + ApprovalView.COLUMNS + " FROM " + table
                        + " WHERE session_id = $1 AND request_id = $2")
                .execute(Tuple.of(sessionId, requestId))
                .flatMap(rows -> {
                    ApprovalView a = ApprovalView.of(rows.iterator().next());
                    if (a.state().equals("pending")) {
                        return Uni.createFrom().voidItem();
                    }
                    return service.announce(
                            connection,
                            sessionId,
                            a.decidedBy(),
                            List.of(new ApprovalDecided(
                                    sessionId,
                                    a.id(),
                                    a.requestId(),
                                    a.state().equals("approved") ? "approved" : "denied",
                                    a.decidedBy())));
                });
    }

    /** An operator's decision: by the session's operator or an approver; once. */
    public Uni<ApprovalView> decide(
            UUID sessionId, UUID approvalId, ApprovalView.DecisionRequest request, SecurityIdentity who) {
        String name = who.getPrincipal().getName();
        return pool.withTransaction(connection -> sessions.lock(connection, sessionId)
                        .flatMap(locked -> {
                            SessionView s = locked.view();
                            boolean sessionOperator = name.equals(s.startedBy()) || name.equals(s.turnOperator());
                            if (!sessionOperator && !who.hasRole(Roles.APPROVER)) {
                                throw new ForbiddenException(
                                        "only the session's operator or an approver may decide its approvals");
                            }
                            return lockApproval(connection, approvalId).flatMap(a -> {
                                if (!a.sessionId().equals(sessionId)) {
                                    throw new ResourceNotFoundException("approval", approvalId);
                                }
                                if (!a.state().equals("pending")) {
                                    throw new ConflictException("approval " + approvalId + " is already " + a.state()
                                            + (a.decidedBy() == null ? "" : " (by " + a.decidedBy() + ")"));
                                }
                                return decide(connection, a, request.decision(), name, false, request.reason());
                            });
                        }))
                .flatMap(v -> get(sessionId, approvalId));
    }

    /** Expires every pending approval past its deadline; returns how many. */
    /** How long the oldest pending approval has waited (zero when none waits). */
    public Uni<Double> oldestPendingSeconds() {
        return pool.preparedQuery("SELECT coalesce(extract(epoch FROM now() - min(requested_at)), 0) AS waited FROM "
                        + table + " WHERE state = 'pending'")
                .execute()
                .map(rows -> rows.iterator().next().getNumeric("waited").doubleValue());
    }

    public Uni<Integer> expireDue() {
        // an approval whose session ended waits for nothing: it expires at once (the inbox and the card
        // would otherwise ask a person to decide what can no longer run)
        return pool.preparedQuery("SELECT a.id, a.session_id, s.state IN ('stopped', 'failed') AS ended FROM " + table
                        + " a JOIN " + sessionTable + " s ON s.id = a.session_id WHERE a.state = 'pending'"
                        + " AND (a.expires_at <= $1 OR s.state IN ('stopped', 'failed'))"
                        + " ORDER BY a.expires_at LIMIT 100")
                .execute(Tuple.of(SessionService.now()))
                .flatMap(rows -> {
                    List<Uni<Boolean>> each = new ArrayList<>();
                    for (Row row : rows) {
                        UUID id = row.getUUID("id");
                        UUID sessionId = row.getUUID("session_id");
                        String why = Boolean.TRUE.equals(row.getBoolean("ended"))
                                ? "the session ended before a decision"
                                : "no decision within " + config.approvalTimeout();
                        each.add(pool.withTransaction(connection -> sessions.lock(connection, sessionId)
                                .flatMap(locked -> lockApproval(connection, id))
                                .flatMap(a -> a.state().equals("pending")
                                        ? decide(connection, a, "expired", TIMEOUT_ACTOR, true, why)
                                                .invoke(() -> io.devopsconsole.platform.logging.SessionLogs.info(
                                                        LOG,
                                                        sessionId,
                                                        "session %s: approval %s expired (%s); answered as denied",
                                                        sessionId,
                                                        id,
                                                        why))
                                                .replaceWith(true)
                                        : Uni.createFrom().item(false))));
                    }
                    if (each.isEmpty()) {
                        return Uni.createFrom().item(0);
                    }
                    return Uni.join().all(each).andFailFast().map(done ->
                            (int) done.stream().filter(b -> b).count());
                });
    }

    /**
     * Inside a transaction holding the session lock: records the decision, notes it in the
     * transcript, returns the session to active when nothing else waits, announces it and tells the runner.
     */
    private Uni<Void> decide(
            SqlConnection connection, ApprovalView a, String decision, String by, boolean automatic, String reason) {
        OffsetDateTime now = SessionService.now();
        String runnerDecision = decision.equals("approved") ? "approved" : "denied";
        String body = EventJson.mapper()
                .createObjectNode()
                .put("approval_id", a.id().toString())
                .put("request_id", a.requestId())
                .put("decision", decision)
                .put("decided_by", by)
                .put("automatic", automatic)
                .put("reason", reason)
                .put("summary", a.summary())
                .toString();
        List<DomainEvent> events = new ArrayList<>();
        events.add(new ApprovalResolved(a.id(), a.sessionId(), a.kind(), a.summary(), decision, by, automatic, reason));
        events.add(new ApprovalDecided(a.sessionId(), a.id(), a.requestId(), runnerDecision, by));
        return connection
                .preparedQuery("UPDATE " + table + " SET state = $2, decided_at = $3, decided_by = $4,"
                        + " automatic = $5, decision_reason = $6, version = version + 1 WHERE id = $1")
                .execute(Tuple.from(new Object[] {a.id(), decision, now, by, automatic, reason}))
                .flatMap(v -> transcript.append(
                        connection,
                        a.sessionId(),
                        List.of(new NewEntry(
                                java.util.UUID.randomUUID(),
                                "approval_decided",
                                by,
                                a.turnId(),
                                null,
                                a.targetId(),
                                null,
                                now,
                                body))))
                .flatMap(v -> resume(connection, a.sessionId(), events))
                .flatMap(v -> service.announce(connection, a.sessionId(), by, events));
    }

    /** Back to active when the session waited for approvals and none is pending any more. */
    private Uni<Void> resume(SqlConnection connection, UUID sessionId, List<DomainEvent> events) {
        return connection
                .preparedQuery("SELECT s.state, s.project_id, (SELECT count(*) FROM " + table
                        + " a WHERE a.session_id = s.id AND a.state = 'pending') AS pending FROM " + sessionTable
                        + " s WHERE s.id = $1")
                .execute(Tuple.of(sessionId))
                .flatMap(rows -> {
                    Row row = rows.iterator().next();
                    if (!row.getString("state").equals(SessionState.WAITING_APPROVAL.wire())
                            || row.getLong("pending") > 0) {
                        return Uni.createFrom().voidItem();
                    }
                    String reason = "approvals answered";
                    events.add(new SessionStateChanged(
                            sessionId,
                            row.getUUID("project_id"),
                            SessionState.WAITING_APPROVAL.wire(),
                            SessionState.ACTIVE.wire(),
                            reason));
                    OffsetDateTime now = SessionService.now();
                    return sessions.setState(connection, sessionId, SessionState.ACTIVE, reason, null, now)
                            .flatMap(v -> transcript.append(
                                    connection,
                                    sessionId,
                                    List.of(NewEntry.of(
                                            "status",
                                            "session-service",
                                            SessionService.status(SessionState.ACTIVE, reason),
                                            now))))
                            .replaceWithVoid();
                });
    }

    /** Inside the stream transaction: a command finished; its audit links the approval it needed. */
    public Uni<Void> commandCompleted(SqlConnection connection, UUID sessionId, AgentStreamRecord r, JsonNode payload) {
        String command = text(payload, "command", "(unnamed command)");
        String output = text(payload, "output", null);
        String tail =
                output == null ? null : output.length() <= 4000 ? output : output.substring(output.length() - 4000);
        String requestId = text(payload, "approval_request_id", null);
        Integer exit =
                payload.hasNonNull("exit_code") ? payload.get("exit_code").asInt() : null;
        Long duration =
                payload.hasNonNull("duration_ms") ? payload.get("duration_ms").asLong() : null;
        OffsetDateTime completed = r.at() == null ? SessionService.now() : r.at();
        OffsetDateTime started = duration == null ? null : completed.minusNanos(duration * 1_000_000);
        return connection
                .preparedQuery(
                        "INSERT INTO " + commands + " (id, session_id, turn_id, item_id, target_id, command,"
                                + " cwd, exit_code, duration_ms, output_tail, approval_id, started_at, completed_at)"
                                + " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, (SELECT id FROM " + table
                                + " WHERE session_id = $2 AND request_id = $11), $12, $13) ON CONFLICT (session_id, item_id) DO NOTHING")
                .execute(Tuple.from(new Object[] {
                    UUID.randomUUID(),
                    sessionId,
                    r.turnId(),
                    r.itemId() == null ? r.recordId().toString() : r.itemId(),
                    r.targetId(),
                    command,
                    text(payload, "cwd", null),
                    exit,
                    duration,
                    tail,
                    requestId,
                    started,
                    completed
                }))
                .replaceWithVoid();
    }

    public Uni<ApprovalView> get(UUID sessionId, UUID approvalId) {
        return pool.preparedQuery(
                        "SELECT " + ApprovalView.COLUMNS + " FROM " + table + " WHERE id = $1 AND session_id = $2")
                .execute(Tuple.of(approvalId, sessionId))
                .map(rows -> {
                    if (rows.size() == 0) {
                        throw new ResourceNotFoundException("approval", approvalId);
                    }
                    return ApprovalView.of(rows.iterator().next());
                });
    }

    public Uni<List<ApprovalView>> list(UUID sessionId, String state) {
        return pool.preparedQuery(
                        "SELECT " + ApprovalView.COLUMNS + " FROM " + table
                                + " WHERE session_id = $1 AND ($2::text IS NULL OR state = $2) ORDER BY requested_at DESC LIMIT 500")
                .execute(Tuple.of(sessionId, state))
                .map(rows -> {
                    List<ApprovalView> out = new ArrayList<>();
                    rows.forEach(r -> out.add(ApprovalView.of(r)));
                    return out;
                });
    }

    private Uni<ApprovalView> lockApproval(SqlConnection connection, UUID id) {
        return connection
                .preparedQuery("SELECT " + ApprovalView.COLUMNS + " FROM " + table + " WHERE id = $1 FOR UPDATE")
                .execute(Tuple.of(id))
                .map(rows -> {
                    if (rows.size() == 0) {
                        throw new ResourceNotFoundException("approval", id);
                    }
                    return ApprovalView.of(rows.iterator().next());
                });
    }

    private static String text(JsonNode payload, String field, String fallback) {
        JsonNode v = payload.get(field);
        return v == null || v.isNull() || v.asText().isBlank() ? fallback : v.asText();
    }
}
