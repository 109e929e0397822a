package io.devopsconsole.session.logs;

import io.devopsconsole.platform.problem.InvalidFieldException;
import io.devopsconsole.platform.security.Roles;
import io.devopsconsole.session.stream.KnownSession;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponseSchema;

/**
 * The console's own log records about a session, for admins (ADR 0031): what agent-runner and
 * session-service logged while acting for it, from every replica, secrets redacted by the sender.
 */
@Path("/api/sessions/{id}/console-logs")
@Produces(MediaType.APPLICATION_JSON)
@KnownSession
public class SessionLogResource {

    /**
     * A page of records, oldest first; {@code older} is the {@code before} value for the page before
     * this one (null when there is none).
     */
    public record Page(List<SessionLogStore.LogRecordView> items, Long older) {}

    static final int DEFAULT_LIMIT = 200;
    static final int MAX_LIMIT = 1000;

    private final SessionLogStore store;

    public SessionLogResource(SessionLogStore store) {
        this.store = store;
    }

    @GET
    @RolesAllowed(Roles.ADMIN)
    @Operation(
            summary = "The console's own log records about a session",
            description = "What the console's services logged while acting for this session (every replica of"
                    + " agent-runner and session-service), secrets redacted, text in its stored form. The newest page"
                    + " first; each page is oldest first. The newest records are kept per session (5,000 by"
                    + " default).")
    @APIResponseSchema(value = Page.class, responseCode = "200", responseDescription = "A page of log records.")
    @APIResponse(responseCode = "400", description = "level, limit or before is not valid (the field is named).")
    public Uni<Page> page(
            @PathParam("id") UUID id,
            @Parameter(description = "The least severe level shown: DEBUG, INFO (default), WARN or ERROR.")
                    @QueryParam("level")
                    String level,
            @Parameter(description = "Records older than this record id (the older value of the page after it).")
                    @QueryParam("before")
                    Long before,
            @Parameter(description = "At most this many records, 1 to 1000 (default 200).") @QueryParam("limit")
                    Integer limit) {
        String min = level(level);
        int n = limit == null ? DEFAULT_LIMIT : limit;
        if (n < 1 || n > MAX_LIMIT) {
            throw new InvalidFieldException("limit", "must be between 1 and " + MAX_LIMIT);
        }
        if (before != null && before < 1) {
            throw new InvalidFieldException("before", "must be a record id (a positive number)");
        }
        return store.page(id, min, before, n + 1).map(rows -> {
            boolean more = rows.size() > n;
            List<SessionLogStore.LogRecordView> items = new ArrayList<>(more ? rows.subList(0, n) : rows);
            Collections.reverse(items);
            return new Page(items, more ? items.get(0).id() : null);
        });
    }

    /** The levels a reader may filter by: the contract's, but FATAL (ERROR shows it). */
    static final List<String> FILTERS = io.devopsconsole.events.logs.SessionLogged.LEVELS.subList(0, 4);

    static String level(String level) {
        if (level == null || level.isBlank()) {
            return "INFO";
        }
        String l = level.strip().toUpperCase(Locale.ROOT);
        if (!FILTERS.contains(l)) {
            throw new InvalidFieldException("level", "must be one of " + String.join(", ", FILTERS));
        }
        return l;
    }
}
