package io.devopsconsole.session.attachment;

import io.devopsconsole.events.EventJson;
import io.devopsconsole.events.agent.CopyAttachment;
import io.devopsconsole.events.session.AttachmentAdded;
import io.devopsconsole.platform.problem.ConflictException;
import io.devopsconsole.platform.problem.ResourceNotFoundException;
import io.devopsconsole.platform.security.CurrentActor;
import io.devopsconsole.session.SessionConfig;
import io.devopsconsole.session.session.SessionService;
import io.devopsconsole.session.session.SessionStore;
import io.devopsconsole.session.session.SessionView;
import io.devopsconsole.session.transcript.NewEntry;
import io.devopsconsole.session.transcript.Transcript;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Files attached to a live session (ADR 0030). One transaction under the session's lock stores the
 * file, notes it in the transcript ({@code attachment_added}), announces it to the audit and hands it
 * to the runner ({@link CopyAttachment}); the runner's {@code attachment_copied} record later moves the
 * row to {@code copied} or {@code failed}.
 */
@ApplicationScoped
public class Attachments {

    /** An attachment as the API shows it (never its content: that is {@code GET .../content}). */
    public record AttachmentView(
            UUID id,
            UUID sessionId,
            String name,
            String mediaType,
            int sizeBytes,
            String sha256,
            String uploadedBy,
            OffsetDateTime uploadedAt,
            String state,
            String path,
            String detail) {

        static final String COLUMNS =
                "id, session_id, name, media_type, size_bytes, sha256, uploaded_by, uploaded_at, state, path, detail";

        static AttachmentView of(Row r) {
            return new AttachmentView(
                    r.getUUID("id"),
                    r.getUUID("session_id"),
                    r.getString("name"),
                    r.getString("media_type"),
                    r.getInteger("size_bytes"),
                    r.getString("sha256"),
                    r.getString("uploaded_by"),
                    r.getOffsetDateTime("uploaded_at"),
                    r.getString("state"),
                    r.getString("path"),
                    r.getString("detail"));
        }
    }

    /** The file as stored. */
    public record Content(String name, String mediaType, byte[] bytes) {}

    private final Pool pool;
    private final SessionStore sessions;
    private final SessionService service;
    private final Transcript transcript;
    private final CurrentActor actor;
    private final SessionConfig.Attachments config;
    private final String table;

    public Attachments(
            Pool pool,
            SessionStore sessions,
            SessionService service,
            Transcript transcript,
            CurrentActor actor,
            SessionConfig config,
            @ConfigProperty(name = "devops.schema") String schema) {
        this.pool = pool;
        this.sessions = sessions;
        this.service = service;
        this.transcript = transcript;
        this.actor = actor;
        this.config = config.attachments();
        this.table = schema + ".attachment";
    }

    /** Checks and stores the file and hands it to the runner; 400 naming what is wrong, 409 for a session that ended. */
    public Uni<AttachmentView> attach(UUID sessionId, String rawName, String contentType, byte[] content) {
        String name = AttachmentRules.name(rawName);
        String type = AttachmentRules.mediaType(contentType, config.mediaTypes());
        AttachmentRules.size(content, config.maxBytes());
        AttachmentRules.content(type, content);
        String sha256 = CopyAttachment.sha256(content);
        UUID id = UUID.randomUUID();
        return actor.name()
                .flatMap(who -> pool.withTransaction(connection -> sessions.lock(connection, sessionId)
                        .flatMap(locked -> {
                            SessionView s = locked.view();
                            if (!s.state().acceptsMessages()) {
                                throw new ConflictException("session " + sessionId + " is "
                                        + s.state().wire() + " and takes no attachments");
                            }
                            return store(connection, s, id, name, type, content, sha256, who);
                        })))
                .flatMap(v -> get(sessionId, id));
    }

    private Uni<Void> store(
            SqlConnection connection,
            SessionView s,
            UUID id,
            String name,
            String type,
            byte[] content,
            String sha256,
            String who) {
        OffsetDateTime now = SessionService.now();
        String body = EventJson.mapper()
                .createObjectNode()
                .put("attachment_id", id.toString())
                .put("name", name)
                .put("media_type", type)
                .put("size_bytes", content.length)
                .put("sha256", sha256)
                .put("uploaded_by", who)
                .toString();
        return connection
                .preparedQuery(
                        "INSERT INTO " + table + " (id, session_id, name, media_type, size_bytes, sha256, content,"
                                + " uploaded_by, uploaded_at, state, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'sent', $9)")
                .execute(Tuple.from(new Object[] {
                    id,
                    s.id(),
                    name,
                    type,
                    content.length,
                    sha256,
                    io.vertx.core.buffer.Buffer.buffer(content),
                    who,
                    now
                }))
                .flatMap(v -> transcript.append(
                        connection,
                        s.id(),
                        List.of(new NewEntry(
                                UUID.randomUUID(), "attachment_added", who, null, null, null, null, now, body))))
                .flatMap(seq -> service.announce(
                        connection,
                        s.id(),
                        who,
                        List.of(
                                new AttachmentAdded(s.id(), s.projectId(), id, name, type, content.length, sha256, who),
                                new CopyAttachment(
                                        s.id(),
                                        s.projectId(),
                                        id,
                                        name,
                                        content.length,
                                        sha256,
                                        Base64.getEncoder().encodeToString(content),
                                        who))));
    }

    public Uni<List<AttachmentView>> list(UUID sessionId) {
        return pool.preparedQuery("SELECT " + AttachmentView.COLUMNS + " FROM " + table
                        + " WHERE session_id = $1 ORDER BY uploaded_at, id")
                .execute(Tuple.of(sessionId))
                .map(rows -> {
                    List<AttachmentView> out = new ArrayList<>();
                    rows.forEach(r -> out.add(AttachmentView.of(r)));
                    return out;
                });
    }

    public Uni<AttachmentView> get(UUID sessionId, UUID id) {
        return pool.preparedQuery(
                        "SELECT " + AttachmentView.COLUMNS + " FROM " + table + " WHERE session_id = $1 AND id = $2")
                .execute(Tuple.of(sessionId, id))
                .map(rows -> {
                    if (rows.size() == 0) {
                        throw new ResourceNotFoundException("attachment", id);
                    }
                    return AttachmentView.of(rows.iterator().next());
                });
    }

    public Uni<Content> content(UUID sessionId, UUID id) {
        return pool.preparedQuery(
                        "SELECT name, media_type, content FROM " + table + " WHERE session_id = $1 AND id = $2")
                .execute(Tuple.of(sessionId, id))
                .map(rows -> {
                    if (rows.size() == 0) {
                        throw new ResourceNotFoundException("attachment", id);
                    }
                    Row r = rows.iterator().next();
                    return new Content(
                            r.getString("name"),
                            r.getString("media_type"),
                            r.getBuffer("content").getBytes());
                });
    }

    /** Inside the storing transaction: what the runner said it did with the file. */
    public Uni<Void> copied(SqlConnection connection, UUID sessionId, com.fasterxml.jackson.databind.JsonNode payload) {
        UUID id;
        try {
            id = UUID.fromString(payload.path("attachment_id").asText());
        } catch (IllegalArgumentException e) {
            return Uni.createFrom().voidItem();
        }
        String state = payload.path("state").asText();
        if (!state.equals("copied") && !state.equals("failed")) {
            return Uni.createFrom().voidItem();
        }
        return connection
                .preparedQuery("UPDATE " + table + " SET state = $3, path = $4, detail = $5, updated_at = $6"
                        + " WHERE session_id = $1 AND id = $2")
                .execute(Tuple.from(new Object[] {
                    sessionId,
                    id,
                    state,
                    payload.hasNonNull("path") ? payload.path("path").asText() : null,
                    payload.hasNonNull("message") ? payload.path("message").asText() : null,
                    SessionService.now()
                }))
                .replaceWithVoid();
    }
}
