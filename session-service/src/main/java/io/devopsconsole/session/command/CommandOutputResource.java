package io.devopsconsole.session.command;

import com.fasterxml.jackson.databind.JsonNode;
import io.devopsconsole.events.EventJson;
import io.devopsconsole.platform.problem.ResourceNotFoundException;
import io.devopsconsole.platform.security.Roles;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponseSchema;

/**
 * A command's whole output, on demand: the transcript shows its last 4,096 characters (and what streamed
 * live); this joins the item's stored {@code command_output_delta} records in order, up to
 * {@code devops.session.command-output-limit} characters, read a page of records at a time.
 */
@Path("/api/sessions/{id}/commands/{itemId}/output")
@Produces(MediaType.APPLICATION_JSON)
public class CommandOutputResource {

    /**
     * The output as stored (the stored text form): {@code stored_chars} characters of it are here;
     * {@code output_chars} is how many the command produced, as the runner reported at its end (null
     * while it runs or when unknown); {@code truncated} says the output here is not all of it.
     */
    public record CommandOutput(
            UUID sessionId, String itemId, String output, long storedChars, Integer outputChars, boolean truncated) {}

    private static final int PAGE = 500;

    private final Pool pool;
    private final String events;
    private final int limit;

    public CommandOutputResource(
            Pool pool,
            @ConfigProperty(name = "devops.schema") String schema,
            io.devopsconsole.session.SessionConfig config) {
        this.pool = pool;
        this.events = schema + ".session_event";
        this.limit = config.commandOutputLimit();
    }

    @GET
    @RolesAllowed({Roles.VIEWER, Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN})
    @Operation(
            summary = "A command's whole output",
            description = "The command's output as its stored deltas hold it, in order, up to the installation's limit"
                    + " (1 MiB of characters by default); when nothing was streamed, the tail its end record keeps.")
    @APIResponseSchema(
            value = CommandOutput.class,
            responseCode = "200",
            responseDescription = "The output as stored, and whether it is all of it.")
    @APIResponse(responseCode = "404", description = "No such session, or no command with that item id in it.")
    public Uni<CommandOutput> output(
            @PathParam("id") UUID sessionId, @PathParam("itemId") @Size(max = 200) String itemId) {
        return pool.preparedQuery("SELECT body FROM " + events + " WHERE session_id = $1 AND item_id = $2"
                        + " AND kind IN ('item_started', 'item_completed') ORDER BY seq")
                .execute(Tuple.of(sessionId, itemId))
                .flatMap(rows -> {
                    JsonNode end = null;
                    boolean command = false;
                    for (Row r : rows) {
                        JsonNode body = json(r.getString("body"));
                        if ("command_execution".equals(body.path("item_type").asText())) {
                            command = true;
                            if (body.has("outcome") || body.has("output_chars") || body.has("exit_code")) {
                                end = body;
                            }
                        }
                    }
                    if (!command) {
                        throw new ResourceNotFoundException("command " + itemId + " of session", sessionId);
                    }
                    JsonNode ended = end;
                    return collect(sessionId, itemId, 0, new StringBuilder()).map(out -> {
                        Integer total =
                                ended != null && ended.path("output_chars").isIntegralNumber()
                                        ? ended.path("output_chars").asInt()
                                        : null;
                        String text = out.text.toString();
                        if (text.isEmpty()
                                && ended != null
                                && ended.path("output").isTextual()) {
                            text = ended.path("output").asText(); // nothing streamed: the tail is what there is
                        }
                        boolean truncated = out.cut || (total != null && total > text.length());
                        return new CommandOutput(sessionId, itemId, text, text.length(), total, truncated);
                    });
                });
    }

    private record Collected(StringBuilder text, boolean cut) {}

    /** The item's deltas after {@code afterSeq}, a page at a time, until the limit or the end. */
    private Uni<Collected> collect(UUID sessionId, String itemId, long afterSeq, StringBuilder into) {
        return pool.preparedQuery("SELECT seq, body FROM " + events + " WHERE session_id = $1 AND item_id = $2"
                        + " AND kind = 'command_output_delta' AND seq > $3 ORDER BY seq LIMIT $4")
                .execute(Tuple.of(sessionId, itemId, afterSeq, PAGE))
                .flatMap(rows -> {
                    long last = afterSeq;
                    for (Row r : rows) {
                        last = r.getLong("seq");
                        String delta = json(r.getString("body")).path("delta").asText("");
                        int room = limit - into.length();
                        if (delta.length() > room) {
                            into.append(delta, 0, io.devopsconsole.platform.text.StoredText.safeEnd(delta, room));
                            return Uni.createFrom().item(new Collected(into, true));
                        }
                        into.append(delta);
                    }
                    if (rows.size() < PAGE) {
                        return Uni.createFrom().item(new Collected(into, false));
                    }
                    return collect(sessionId, itemId, last, into);
                });
    }

    private static JsonNode json(String body) {
        try {
            return EventJson.mapper().readTree(body);
        } catch (java.io.IOException e) {
            return EventJson.mapper().createObjectNode();
        }
    }
}
