package io.devopsconsole.session.session;

import io.devopsconsole.platform.api.Created;
import io.devopsconsole.platform.problem.InvalidFieldException;
import io.devopsconsole.platform.problem.ResourceNotFoundException;
import io.devopsconsole.platform.security.Roles;
import io.devopsconsole.session.transcript.Transcript;
import io.devopsconsole.session.transcript.TranscriptEntry;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.time.OffsetDateTime;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponseSchema;
import org.jboss.resteasy.reactive.ResponseStatus;
import org.jboss.resteasy.reactive.RestResponse;

@Path("/api/sessions")
@Produces(MediaType.APPLICATION_JSON)
public class SessionResource {

    private final SessionService service;
    private final SessionStore sessions;
    private final Transcript transcript;

    public SessionResource(SessionService service, SessionStore sessions, Transcript transcript) {
        this.service = service;
        this.sessions = sessions;
        this.transcript = transcript;
    }

    /** Opens the project's live session; 409 naming the live one if the project already has one. */
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed({Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN})
    @APIResponseSchema(
            value = SessionView.class,
            responseCode = "201",
            responseDescription = "Created; `Location` names the new session.")
    public Uni<RestResponse<SessionView>> create(@Valid @NotNull SessionRequests.CreateSessionRequest request) {
        return service.create(request).map(s -> Created.at("/api/sessions", s.id(), s));
    }

    @GET
    @RolesAllowed({Roles.VIEWER, Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN})
    @Operation(
            summary = "Session history",
            description = "Sessions newest first, live and ended, each with its final state and reason, what it was"
                    + " about (the first message), where its worker ran and its tokens. `q` searches, case-insensitively,"
                    + " the end reason, who started it and the text of its messages, commands and their output;"
                    + " `state` narrows to one state; `next_before` continues the list.")
    public Uni<SessionSummary.Page> list(
            @QueryParam("project_id") UUID projectId,
            @QueryParam("before") OffsetDateTime before,
            @QueryParam("q") @Size(max = 200) String query,
            @QueryParam("state") String state,
            @QueryParam("limit") @DefaultValue("50") @Min(1) @Max(500) int limit) {
        // stored text is encoded where it entered (a NUL or lone surrogate as a visible escape): so is the query
        String q = query == null || query.isBlank()
                ? null
                : io.devopsconsole.platform.text.StoredText.encode(query.strip());
        SessionState only;
        try {
            only = state == null || state.isBlank() ? null : SessionState.fromWire(state.strip());
        } catch (IllegalArgumentException e) {
            throw new InvalidFieldException(
                    "state",
                    "must be one of "
                            + java.util.Arrays.stream(SessionState.values())
                                    .map(SessionState::wire)
                                    .toList());
        }
        return sessions.history(projectId, before, q, only, limit)
                .map(items -> new SessionSummary.Page(
                        items,
                        items.size() < limit
                                ? null
                                : items.get(items.size() - 1).createdAt()));
    }

    /** The project's live (non-final) session, for clients that reattach; 404 when there is none. */
    @GET
    @Path("/active")
    @RolesAllowed({Roles.VIEWER, Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN})
    @APIResponseSchema(
            value = SessionView.class,
            responseCode = "200",
            responseDescription = "The project's live session.")
    @APIResponse(responseCode = "404", description = "The project has no live session.")
    public Uni<SessionView> active(
            @QueryParam("project_id") UUID projectId, @QueryParam("projectId") UUID projectIdAlias) {
        UUID project = projectId != null ? projectId : projectIdAlias;
        if (project == null) {
            throw new InvalidFieldException("project_id", "is required");
        }
        return sessions.live(project)
                .map(live -> live.orElseThrow(() -> new ResourceNotFoundException("live session of project", project)));
    }

    @GET
    @Path("/{id}")
    @RolesAllowed({Roles.VIEWER, Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN})
    public Uni<SessionView> get(@PathParam("id") UUID id) {
        return sessions.get(id);
    }

    /** Sends the agent a message: stored in the transcript and handed to the runner in one transaction. */
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Path("/{id}/messages")
    @RolesAllowed({Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN})
    @APIResponseSchema(
            value = SessionService.MessagePosted.class,
            responseCode = "201",
            responseDescription = "Stored in the transcript and handed to the runner.")
    public Uni<RestResponse<SessionService.MessagePosted>> post(
            @PathParam("id") UUID id, @Valid @NotNull SessionRequests.PostMessageRequest request) {
        return service.postMessage(id, request.text(), request.targetId())
                .map(posted -> RestResponse.status(RestResponse.Status.CREATED, posted));
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Path("/{id}/stop")
    @RolesAllowed({Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN})
    @ResponseStatus(200)
    public Uni<SessionView> stop(@PathParam("id") UUID id, @Valid SessionRequests.StopSessionRequest request) {
        return service.stop(id, request == null ? null : request.reason());
    }

    @POST
    @Path("/{id}/interrupt")
    @RolesAllowed({Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN})
    @ResponseStatus(202)
    @APIResponse(
            responseCode = "202",
            description = "The interrupt was handed to the runner; the turn ends as interrupted.")
    public Uni<Void> interrupt(@PathParam("id") UUID id) {
        return service.interrupt(id);
    }

    /** The transcript in seq order after {@code after}, a page at a time. */
    @GET
    @Path("/{id}/events")
    @RolesAllowed({Roles.VIEWER, Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN})
    public Uni<TranscriptEntry.Page> events(
            @PathParam("id") UUID id,
            @QueryParam("after") @DefaultValue("0") @Min(0) long after,
            @QueryParam("limit") @DefaultValue("200") @Min(1) @Max(1000) int limit) {
        return sessions.get(id)
                .flatMap(s -> transcript.read(id, after, Long.MAX_VALUE, limit + 1))
                .map(rows -> {
                    boolean more = rows.size() > limit;
                    var page = more ? rows.subList(0, limit) : rows;
                    return new TranscriptEntry.Page(
                            page, more ? page.get(page.size() - 1).seq() : null);
                });
    }
}
