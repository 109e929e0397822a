package io.devopsconsole.session.coordinator;

import io.devopsconsole.platform.problem.ResourceNotFoundException;
import io.devopsconsole.platform.security.CurrentActor;
import io.devopsconsole.platform.security.Roles;
import io.devopsconsole.session.stream.StreamHub;
import io.devopsconsole.session.transcript.Transcript;
import io.devopsconsole.session.transcript.TranscriptEntry;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponseSchema;
import org.jboss.resteasy.reactive.RestResponse;

/**
 * The operator's coordinator conversation (ADR 0026). Every role may talk to it; what a tool may do
 * is decided by the API it calls, with the operator's own token. A conversation is its operator's
 * only: nobody else reads or confirms in it.
 */
@Path("/api/coordinator")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed({Roles.VIEWER, Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN})
public class CoordinatorResource {

    private final Coordinator coordinator;
    private final Conversations conversations;
    private final CodexCoordinator codex;
    private final Tools tools;
    private final Transcript transcript;
    private final StreamHub hub;
    private final SecurityIdentity identity;
    private final CurrentActor actor;
    private final JsonWebToken token;

    public CoordinatorResource(
            Coordinator coordinator,
            Conversations conversations,
            CodexCoordinator codex,
            Tools tools,
            Transcript transcript,
            StreamHub hub,
            SecurityIdentity identity,
            CurrentActor actor,
            JsonWebToken token) {
        this.coordinator = coordinator;
        this.conversations = conversations;
        this.codex = codex;
        this.tools = tools;
        this.transcript = transcript;
        this.hub = hub;
        this.identity = identity;
        this.actor = actor;
        this.token = token;
    }

    private Uni<Tools.Operator> operator() {
        String raw = token.getRawToken();
        return actor.name().map(name -> new Tools.Operator(name, identity.getRoles(), raw));
    }

    /** What the operator writes: a sentence for the model, a slash command, or a proposal's phrase. */
    public record MessageRequest(@NotBlank @Size(max = 8000) String text) {}

    /** A proposal's confirmation: the phrase exactly as the card shows it. */
    public record ConfirmRequest(@NotNull @Size(max = 300) String phrase) {}

    /** The conversation: its id, whether a model can answer free text here (and why not), where it is. */
    public record ConversationView(
            UUID id, String state, boolean modelAvailable, String modelUnavailableReason, UUID onboardingRunId) {}

    /** A pending or decided proposal. */
    public record ProposalView(
            UUID id,
            String tool,
            String summary,
            String phrase,
            String state,
            OffsetDateTime expiresAt,
            String decidedBy,
            String outcome) {
        static ProposalView of(Conversations.Proposal p) {
            return new ProposalView(
                    p.id(), p.tool(), p.summary(), p.phrase(), p.state(), p.expiresAt(), p.decidedBy(), p.outcome());
        }
    }

    /** A tool as the coordinator offers it: the role it needs and whether it asks first. */
    public record ToolView(String name, String description, String role, String confirmation, Object inputSchema) {}

    @GET
    @Path("/conversation")
    @APIResponseSchema(value = ConversationView.class, responseCode = "200", responseDescription = "The conversation.")
    @APIResponse(responseCode = "404", description = "The operator has not talked to the coordinator yet.")
    public Uni<ConversationView> conversation() {
        return operator().flatMap(op -> conversations.find(op.name())).map(found -> {
            Conversations.Conversation c =
                    found.orElseThrow(() -> new ResourceNotFoundException("conversation", "of this operator"));
            var missing = codex.unavailable();
            return new ConversationView(c.id(), c.state(), missing.isEmpty(), missing.orElse(null), c.run());
        });
    }

    /** Stores the message and answers it in the conversation's stream; 409 while the previous one is being answered. */
    @POST
    @Path("/messages")
    @Consumes(MediaType.APPLICATION_JSON)
    @APIResponseSchema(
            value = Coordinator.Posted.class,
            responseCode = "201",
            responseDescription = "Stored; the answer streams.")
    public Uni<RestResponse<Coordinator.Posted>> post(@Valid @NotNull MessageRequest request) {
        return operator()
                .flatMap(op -> coordinator.post(op, request.text()))
                .map(posted -> RestResponse.status(RestResponse.Status.CREATED, posted));
    }

    /** The conversation's records after {@code after}, a page at a time (the same records as the stream). */
    @GET
    @Path("/events")
    @APIResponseSchema(
            value = TranscriptEntry.Page.class,
            responseCode = "200",
            responseDescription = "A page of records.")
    @APIResponse(responseCode = "404", description = "The operator has not talked to the coordinator yet.")
    public Uni<TranscriptEntry.Page> events(
            @QueryParam("after") @DefaultValue("0") @Min(0) long after,
            @QueryParam("limit") @DefaultValue("200") @Min(1) @Max(1000) int limit) {
        return own().flatMap(c -> transcript.read(c.id(), after, Long.MAX_VALUE, limit + 1))
                .map(rows -> {
                    boolean more = rows.size() > limit;
                    var page = more ? rows.subList(0, limit) : rows;
                    return new TranscriptEntry.Page(
                            page, more ? page.get(page.size() - 1).seq() : null);
                });
    }

    private Uni<Conversations.Conversation> own() {
        return operator()
                .flatMap(op -> conversations.find(op.name()))
                .map(found ->
                        found.orElseThrow(() -> new ResourceNotFoundException("conversation", "of this operator")));
    }

    /**
     * The conversation as Server-Sent Events, exactly like a session's stream: {@code id} is the
     * record's seq; reconnect with {@code Last-Event-ID} for a gap-free continuation.
     */
    @GET
    @Path("/stream")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @APIResponse(
            responseCode = "200",
            description = "The conversation's records as Server-Sent Events.",
            content =
                    @org.eclipse.microprofile.openapi.annotations.media.Content(
                            mediaType = MediaType.SERVER_SENT_EVENTS,
                            schema =
                                    @org.eclipse.microprofile.openapi.annotations.media.Schema(
                                            type =
                                                    org.eclipse.microprofile.openapi.annotations.enums.SchemaType
                                                            .STRING)))
    @APIResponse(responseCode = "404", description = "The operator has not talked to the coordinator yet.")
    @OwnConversation
    public Multi<OutboundSseEvent> stream(
            @HeaderParam("Last-Event-ID") String lastEventId,
            @QueryParam("after") String afterParam,
            @Context Sse sse,
            @Context jakarta.ws.rs.container.ContainerRequestContext request) {
        long after = io.devopsconsole.session.stream.StreamResource.position(
                lastEventId != null ? lastEventId : afterParam, lastEventId != null ? "Last-Event-ID" : "after");
        // the caller's conversation was found by OwnConversationFilter before the response started
        UUID conversation = (UUID) request.getProperty(OwnConversation.PROPERTY);
        return hub.subscribe(conversation, after)
                .map(item -> io.devopsconsole.session.stream.StreamResource.event(sse, item));
    }

    @GET
    @Path("/proposals")
    @APIResponseSchema(value = ProposalPage.class, responseCode = "200", responseDescription = "The pending proposals.")
    @APIResponse(responseCode = "404", description = "The operator has not talked to the coordinator yet.")
    public Uni<ProposalPage> pending() {
        return own().flatMap(c -> conversations.pending(c.id()))
                .map(list ->
                        new ProposalPage(list.stream().map(ProposalView::of).toList()));
    }

    /** The conversation's pending proposals, newest first. */
    public record ProposalPage(List<ProposalView> items) {}

    /** Confirms a proposal with its phrase; it then runs once and reports in the conversation. */
    @POST
    @Path("/proposals/{id}/confirm")
    @Consumes(MediaType.APPLICATION_JSON)
    @APIResponseSchema(
            value = ProposalView.class,
            responseCode = "202",
            responseDescription = "Confirmed; the operation runs and reports in the conversation.")
    public Uni<RestResponse<ProposalView>> confirm(@PathParam("id") UUID id, @Valid @NotNull ConfirmRequest request) {
        return operator()
                .flatMap(op -> coordinator.confirm(op, id, request.phrase()))
                .map(p -> RestResponse.status(RestResponse.Status.ACCEPTED, ProposalView.of(p)));
    }

    @POST
    @Path("/proposals/{id}/cancel")
    public Uni<ProposalView> cancel(@PathParam("id") UUID id) {
        return operator().flatMap(op -> coordinator.cancel(op, id)).map(ProposalView::of);
    }

    /** Every tool: what it does, the least role its API accepts, and whether it proposes first. */
    @GET
    @Path("/tools")
    public List<ToolView> tools() {
        return tools.all().stream()
                .map(t -> new ToolView(
                        t.name(),
                        t.description(),
                        t.role(),
                        t.confirm().name().toLowerCase(java.util.Locale.ROOT),
                        t.schema()))
                .toList();
    }
}
