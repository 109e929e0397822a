package io.devopsconsole.session.handoff;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.devopsconsole.events.EventJson;
import io.devopsconsole.platform.problem.ConflictException;
import io.devopsconsole.platform.problem.ResourceNotFoundException;
import io.devopsconsole.platform.problem.UniqueViolation;
import io.devopsconsole.platform.security.CurrentActor;
import io.devopsconsole.session.session.SessionService;
import io.devopsconsole.session.session.SessionStore;
import io.devopsconsole.session.session.SessionView;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.time.OffsetDateTime;
import java.util.Optional;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Project start. An operator states what they want to start on a project; the answer is a
 * handoff package: where the work stood (a continuation snapshot of the project's last session),
 * a generated context digest (that snapshot plus what registry says of the project), and the
 * intent. If the project has a live session the package is {@code operator_decision_required},
 * naming it: reattach or stop it first; nothing is replaced silently. Starting a ready package
 * opens the session and sends the digest and intent as its first message, in one transaction.
 */
@ApplicationScoped
public class HandoffService {

    private final Pool pool;
    private final SessionStore sessions;
    private final SessionService service;
    private final ProjectProjection projects;
    private final CurrentActor actor;
    private final String schema;

    public HandoffService(
            Pool pool,
            SessionStore sessions,
            SessionService service,
            ProjectProjection projects,
            CurrentActor actor,
            @ConfigProperty(name = "devops.schema") String schema) {
        this.pool = pool;
        this.sessions = sessions;
        this.service = service;
        this.projects = projects;
        this.actor = actor;
        this.schema = schema;
    }

    /** A handoff as the API shows it ({@code package} is the prepared package). */
    public record HandoffView(
            UUID id,
            UUID projectId,
            String intent,
            String requestedBy,
            String status,
            UUID liveSessionId,
            UUID startedSession,
            OffsetDateTime createdAt,

            @com.fasterxml.jackson.annotation.JsonProperty("package")
            @org.eclipse.microprofile.openapi.annotations.media.Schema(
                    type = org.eclipse.microprofile.openapi.annotations.enums.SchemaType.OBJECT,
                    description = "The prepared package (a JSON object).")
            @com.fasterxml.jackson.annotation.JsonRawValue
            String handoffPackage) {

        static HandoffView of(Row r) {
            return new HandoffView(
                    r.getUUID("id"),
                    r.getUUID("project_id"),
                    r.getString("intent"),
                    r.getString("requested_by"),
                    r.getString("status"),
                    r.getUUID("live_session_id"),
                    r.getUUID("started_session"),
                    r.getOffsetDateTime("created_at"),
                    r.getString("package"));
        }
    }

    public Uni<HandoffView> prepare(UUID projectId, String intent) {
        return projects.requireOpen(projectId)
                .flatMap(known -> actor.name())
                .flatMap(who -> sessions.live(projectId).flatMap(live -> {
                    if (live.isPresent()) {
                        return store(
                                projectId,
                                intent,
                                who,
                                "operator_decision_required",
                                live.get().id(),
                                decision(live.get(), intent));
                    }
                    return ready(projectId, intent).flatMap(pkg -> store(projectId, intent, who, "ready", null, pkg));
                }));
    }

    /** Opens the session of a ready package and sends the digest and intent as its first message. */
    public Uni<HandoffView> start(UUID handoffId) {
        return actor.name()
                .flatMap(who -> get(handoffId).flatMap(h -> {
                    if (!h.status().equals("ready")) {
                        throw new ConflictException("handoff " + handoffId + " is " + h.status()
                                + (h.liveSessionId() == null
                                        ? ""
                                        : " (project has live session " + h.liveSessionId() + ")"));
                    }
                    UUID sessionId = UUID.randomUUID();
                    String first = firstMessage(h);
                    return pool.withTransaction(connection -> connection
                                    .preparedQuery("UPDATE " + schema + ".handoff SET status ="
                                            + " 'started', started_session = $2, version = version + 1 WHERE id = $1 AND status = 'ready'"
                                            + " RETURNING id")
                                    .execute(Tuple.of(handoffId, sessionId))
                                    .flatMap(rows -> {
                                        if (rows.size() == 0) {
                                            throw new ConflictException(
                                                    "handoff " + handoffId + " was started meanwhile");
                                        }
                                        return service.createIn(connection, sessionId, h.projectId(), "manual", who);
                                    })
                                    .flatMap(v -> service.postIn(connection, sessionId, first, who)))
                            .onFailure(f -> UniqueViolation.of(f, "session_one_live_per_project"))
                            .recoverWithUni(f -> service.liveConflict(h.projectId()))
                            .flatMap(v -> get(handoffId));
                }));
    }

    public Uni<HandoffView> get(UUID id) {
        return pool.preparedQuery("SELECT * FROM " + schema + ".handoff WHERE id = $1")
                .execute(Tuple.of(id))
                .map(rows -> {
                    if (rows.size() == 0) {
                        throw new ResourceNotFoundException("handoff", id);
                    }
                    return HandoffView.of(rows.iterator().next());
                });
    }

    public Uni<java.util.List<HandoffView>> list(UUID projectId) {
        return pool.preparedQuery("SELECT * FROM " + schema + ".handoff WHERE ($1::uuid IS NULL OR project_id = $1)"
                        + " ORDER BY created_at DESC LIMIT 100")
                .execute(Tuple.of(projectId))
                .map(rows -> {
                    java.util.List<HandoffView> out = new java.util.ArrayList<>();
                    rows.forEach(r -> out.add(HandoffView.of(r)));
                    return out;
                });
    }

    private Uni<HandoffView> store(
            UUID projectId, String intent, String who, String status, UUID live, ObjectNode pkg) {
        UUID id = UUID.randomUUID();
        pkg.put("handoff_id", id.toString()).put("status", status);
        return pool.preparedQuery("INSERT INTO " + schema + ".handoff (id, project_id, intent, requested_by, status,"
                        + " live_session_id, package, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
                .execute(Tuple.from(
                        new Object[] {id, projectId, intent, who, status, live, pkg.toString(), SessionService.now()}))
                .flatMap(v -> get(id));
    }

    private static ObjectNode decision(SessionView live, String intent) {
        ObjectNode pkg = EventJson.mapper().createObjectNode();
        pkg.put("project_id", live.projectId().toString()).put("intent", intent);
        ObjectNode session = pkg.putObject("live_session");
        session.put("id", live.id().toString())
                .put("state", live.state().wire())
                .put("started_by", live.startedBy())
                .put("created_at", live.createdAt().toString())
                .put("last_seq", live.lastSeq());
        pkg.putArray("options").add("reattach").add("stop_then_start");
        pkg.put(
                "message",
                "Project " + live.projectId() + " already has live session " + live.id() + " ("
                        + live.state().wire() + ", started by " + live.startedBy()
                        + "). Reattach to it, or stop it before"
                        + " starting new work; nothing was replaced.");
        return pkg;
    }

    /** The ready package: project, continuation snapshot of the last session, and the digest. */
    private Uni<ObjectNode> ready(UUID projectId, String intent) {
        return projects.find(projectId)
                .flatMap(project -> lastSession(projectId).flatMap(last -> {
                    ObjectNode pkg = EventJson.mapper().createObjectNode();
                    pkg.put("project_id", projectId.toString()).put("intent", intent);
                    project.ifPresentOrElse(
                            p -> {
                                ObjectNode node = pkg.putObject("project");
                                node.put("slug", p.getString("slug"))
                                        .put("name", p.getString("name"))
                                        .put("description", p.getString("description"))
                                        .put("default_working_directory", p.getString("default_working_directory"))
                                        .put("archived", p.getBoolean("archived"));
                                node.set("bindings", json(p.getString("bindings")));
                            },
                            () -> pkg.putNull("project"));
                    if (last.isEmpty()) {
                        pkg.putNull("continuation");
                        pkg.put("context_digest", digest(pkg, null));
                        return Uni.createFrom().item(pkg);
                    }
                    return continuation(last.get()).map(snapshot -> {
                        pkg.set("continuation", snapshot);
                        pkg.put("context_digest", digest(pkg, snapshot));
                        return pkg;
                    });
                }));
    }

    private Uni<Optional<SessionView>> lastSession(UUID projectId) {
        return sessions.list(projectId, null, 1).map(l -> l.stream().findFirst());
    }

    /** Where the work stood when the project's last session ended. */
    private Uni<ObjectNode> continuation(SessionView s) {
        String events = schema + ".session_event";
        return pool.preparedQuery("SELECT"
                        + " (SELECT body FROM " + events
                        + " WHERE session_id = $1 AND kind = 'operator_message' ORDER BY seq DESC LIMIT 1) AS asked,"
                        + " (SELECT body FROM " + events + " WHERE session_id = $1 AND kind = 'item_completed'"
                        + "   AND body::jsonb ->> 'item_type' = 'agent_message' ORDER BY seq DESC LIMIT 1) AS answered,"
                        + " (SELECT count(*) FROM " + schema + ".command_audit WHERE session_id = $1) AS commands,"
                        + " (SELECT count(*) FROM " + schema
                        + ".command_audit WHERE session_id = $1 AND exit_code <> 0) AS failed,"
                        + " (SELECT coalesce(json_agg(c ORDER BY c.completed_at DESC), '[]') FROM (SELECT command, cwd, exit_code,"
                        + "   completed_at FROM " + schema
                        + ".command_audit WHERE session_id = $1 ORDER BY completed_at DESC LIMIT 5) c)"
                        + "   AS recent,"
                        + " (SELECT count(*) FROM " + schema
                        + ".approval WHERE session_id = $1 AND state IN ('denied', 'expired'))"
                        + "   AS refused")
                .execute(Tuple.of(s.id()))
                .map(rows -> {
                    Row r = rows.iterator().next();
                    ObjectNode snap = EventJson.mapper().createObjectNode();
                    snap.put("session_id", s.id().toString())
                            .put("state", s.state().wire())
                            .put("state_reason", s.stateReason())
                            .put(
                                    "ended_at",
                                    s.endedAt() == null ? null : s.endedAt().toString())
                            .put("transcript_events", s.lastSeq());
                    snap.put(
                            "last_operator_message",
                            json(r.getString("asked")).path("text").asText(null));
                    snap.put(
                            "last_agent_message",
                            json(r.getString("answered")).path("text").asText(null));
                    snap.put("commands_run", r.getLong("commands"))
                            .put("commands_failed", r.getLong("failed"))
                            .put("approvals_refused_or_expired", r.getLong("refused"));
                    snap.set("recent_commands", json(String.valueOf(r.getValue("recent"))));
                    return snap;
                });
    }

    /** A few sentences an agent (or a person) can pick the work up from. */
    static String digest(ObjectNode pkg, ObjectNode snap) {
        StringBuilder d = new StringBuilder();
        JsonNode project = pkg.path("project");
        if (project.isObject()) {
            d.append("Project ")
                    .append(project.path("name").asText())
                    .append(" (")
                    .append(project.path("slug").asText())
                    .append("), working directory ")
                    .append(project.path("default_working_directory").asText());
            int bound = project.path("bindings").size();
            d.append(bound == 0 ? "; no runtime targets bound yet. " : "; " + bound + " runtime target(s) bound. ");
        } else {
            d.append("Project ").append(pkg.path("project_id").asText()).append(" (not yet known from the registry). ");
        }
        if (snap == null) {
            d.append("No earlier session: this is the first work on the project.");
            return d.toString();
        }
        d.append("The last session ")
                .append(snap.path("session_id").asText())
                .append(" is ")
                .append(snap.path("state").asText());
        if (!snap.path("state_reason").isNull()) {
            d.append(" (").append(snap.path("state_reason").asText()).append(")");
        }
        d.append(". ");
        if (!snap.path("last_operator_message").isNull()) {
            d.append("The operator last asked: \"")
                    .append(clip(snap.path("last_operator_message").asText()))
                    .append("\". ");
        }
        if (!snap.path("last_agent_message").isNull()) {
            d.append("The agent last said: \"")
                    .append(clip(snap.path("last_agent_message").asText()))
                    .append("\". ");
        }
        d.append(snap.path("commands_run").asLong())
                .append(" command(s) ran, ")
                .append(snap.path("commands_failed").asLong())
                .append(" failed");
        ArrayNode recent = (ArrayNode) snap.path("recent_commands");
        if (recent.size() > 0) {
            d.append("; most recent: ")
                    .append(recent.get(0).path("command").asText())
                    .append(" (exit ")
                    .append(recent.get(0).path("exit_code").asText())
                    .append(")");
        }
        d.append(".");
        return d.toString();
    }

    private static String firstMessage(HandoffView h) {
        JsonNode pkg = json(h.handoffPackage());
        return "Context: " + pkg.path("context_digest").asText() + "\n\nTask: " + h.intent();
    }

    private static String clip(String text) {
        return io.devopsconsole.platform.text.StoredText.clip(text, 300);
    }

    private static JsonNode json(String text) {
        if (text == null) {
            return EventJson.mapper().createObjectNode();
        }
        try {
            return EventJson.mapper().readTree(text);
        } catch (IOException e) {
            return EventJson.mapper().createObjectNode();
        }
    }
}
