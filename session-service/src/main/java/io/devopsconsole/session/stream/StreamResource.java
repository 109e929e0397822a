package io.devopsconsole.session.stream;

import io.devopsconsole.events.EventJson;
import io.devopsconsole.platform.problem.InvalidFieldException;
import io.devopsconsole.platform.security.Roles;
import io.devopsconsole.session.session.SessionStore;
import io.devopsconsole.session.transcript.TranscriptEntry;
import io.smallrye.mutiny.Multi;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import java.util.UUID;

/**
 * The live transcript as Server-Sent Events: {@code id} is the event's seq, {@code data} its JSON.
 * A client that reconnects with {@code Last-Event-ID} (or {@code ?after=}) gets exactly the events
 * after it, then live ones. Control events: {@code heartbeat} (comment lines every 15 s),
 * {@code reconnect} (fell behind: reconnect with the given last id), {@code end} (session ended).
 * Closing the connection changes nothing about the session.
 */
@Path("/api/sessions/{id}/stream")
public class StreamResource {

    private final StreamHub hub;
    private final SessionStore sessions;

    public StreamResource(StreamHub hub, SessionStore sessions) {
        this.hub = hub;
        this.sessions = sessions;
    }

    @GET
    @KnownSession
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RolesAllowed({Roles.VIEWER, Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN})
    public Multi<OutboundSseEvent> stream(
            @PathParam("id") UUID id,
            @HeaderParam("Last-Event-ID") String lastEventId,
            @QueryParam("after") String afterParam,
            @Context Sse sse) {
        long after = position(
                lastEventId != null ? lastEventId : afterParam, lastEventId != null ? "Last-Event-ID" : "after");
        // an unknown session was refused by KnownSessionFilter before the response started
        return hub.subscribe(id, after).map(item -> event(sse, item));
    }

    /** A stream's start position from {@code Last-Event-ID} or {@code ?after=}: 400 naming the field when it is not one. */
    public static long position(String value, String field) {
        if (value == null || value.isEmpty()) {
            return 0;
        }
        try {
            long v = Long.parseLong(value.strip());
            if (v >= 0) {
                return v;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new InvalidFieldException(field, "must be the id (seq) of an event this stream sent");
    }

    /** One SSE event: a transcript entry (id = seq, data = its JSON), a heartbeat comment or a control event. */
    public static OutboundSseEvent event(Sse sse, StreamHub.Item item) {
        if (item.entry() != null) {
            TranscriptEntry e = item.entry();
            // data is the event's JSON text (no per-event content-type field: it is not part of SSE)
            return sse.newEventBuilder()
                    .id(Long.toString(e.seq()))
                    .data(json(e))
                    .build();
        }
        if (item.control().equals("heartbeat")) {
            return sse.newEventBuilder().comment("heartbeat").build();
        }
        return sse.newEventBuilder().name(item.control()).data(item.data()).build();
    }

    private static String json(TranscriptEntry e) {
        try {
            return EventJson.mapper().writeValueAsString(e);
        } catch (com.fasterxml.jackson.core.JsonProcessingException ex) {
            throw new IllegalStateException(ex);
        }
    }
}
