package io.devopsconsole.agent.codex;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.devopsconsole.events.registry.RuntimeProfileState;
import io.devopsconsole.platform.codex.JsonRpcConnection;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The app-server protocol as the runner speaks it: every JSON-RPC call the runner makes to
 * {@code codex app-server}, with its parameters and what it reads from the answer, in one place
 * (CODEX-APP-SERVER.md in the design). One instance per connection. Calls wait for their answer up
 * to the timeout; call them from the session's own thread, never from an event loop.
 */
public final class AppServerClient {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** How many pages of a thread's items a read-back follows at most. */
    static final int MAX_ITEM_PAGES = 50;

    private final JsonRpcConnection rpc;
    private final long timeoutSeconds;

    public AppServerClient(JsonRpcConnection rpc, long timeoutSeconds) {
        this.rpc = rpc;
        this.timeoutSeconds = timeoutSeconds;
    }

    public JsonRpcConnection connection() {
        return rpc;
    }

    /** {@code initialize} then {@code initialized}: the client's name; no experimental API. */
    public void initialize(String clientName) throws IOException {
        ObjectNode init = JSON.createObjectNode();
        init.putObject("clientInfo")
                .put("name", clientName)
                .put("title", "DevOps Console")
                .put("version", "1");
        init.putObject("capabilities").put("experimentalApi", false);
        call("initialize", init);
        rpc.notify("initialized", null);
    }

    /** {@code thread/start} in the working directory with the profile's approval policy, sandbox and model; the thread's id. */
    public String startThread(String directory, String approvalPolicy, RuntimeProfileState.CodexOptions codex)
            throws IOException {
        ObjectNode params = JSON.createObjectNode().put("cwd", directory);
        if (approvalPolicy != null) {
            params.put("approvalPolicy", approvalPolicy);
        }
        if (codex != null && codex.sandboxMode() != null) {
            params.put("sandbox", codex.sandboxMode());
        }
        if (codex != null && codex.model() != null) {
            params.put("model", codex.model());
        }
        String id = call("thread/start", params).path("thread").path("id").asText(null);
        if (id == null) {
            throw new IOException("thread/start answered without a thread id");
        }
        return id;
    }

    /** {@code thread/resume} without its turns; the thread's id as the server names it. */
    public String resumeThread(String threadId) throws IOException {
        return call(
                        "thread/resume",
                        JSON.createObjectNode().put("threadId", threadId).put("excludeTurns", true))
                .path("thread")
                .path("id")
                .asText(threadId);
    }

    /** {@code turn/start} with the operator's text (exactly as typed); the new turn's id (null if the answer names none). */
    public String startTurn(String threadId, String text) throws IOException {
        ObjectNode params = JSON.createObjectNode().put("threadId", threadId);
        params.putArray("input")
                .addObject()
                .put("type", "text")
                .put("text", text)
                .putArray("text_elements");
        return call("turn/start", params).path("turn").path("id").asText(null);
    }

    /** {@code turn/interrupt}, not waited for: the turn's end arrives as {@code turn/completed}. */
    public void interruptTurn(String threadId, String turnId) {
        rpc.request(
                "turn/interrupt",
                JSON.createObjectNode().put("threadId", threadId).put("turnId", turnId));
    }

    /**
     * The answer to an approval request: {@code accept}/{@code decline}, or {@code approved}/{@code denied}
     * for the legacy methods ({@code execCommandApproval}, {@code applyPatchApproval}).
     */
    public void answerApproval(JsonNode serverId, String method, boolean approved) throws IOException {
        boolean legacy = method.equals("execCommandApproval") || method.equals("applyPatchApproval");
        String answer = legacy ? (approved ? "approved" : "denied") : (approved ? "accept" : "decline");
        rpc.respond(serverId, JSON.createObjectNode().put("decision", answer));
    }

    /** Refuses a server request the console does not support. */
    public void refuse(JsonNode serverId) throws IOException {
        rpc.respondError(serverId, "not supported by the DevOps Console");
    }

    /** A turn as the thread holds it: the turn ({@code null} if the thread does not list it) and its items in order. */
    public record TurnReadBack(JsonNode turn, List<JsonNode> items) {
        /** The turn's status ({@code inProgress} when not listed). */
        public String status(String whenNotListed) {
            return turn == null ? whenNotListed : turn.path("status").asText("inProgress");
        }
    }

    /** Reads a turn back from the thread ({@code thread/turns/list}, then {@code thread/items/list} page by page). */
    public TurnReadBack readTurn(String threadId, String turnId) throws IOException {
        JsonNode turn = null;
        for (JsonNode t : call("thread/turns/list", JSON.createObjectNode().put("threadId", threadId))
                .path("data")) {
            if (turnId.equals(t.path("id").asText())) {
                turn = t;
            }
        }
        List<JsonNode> items = new ArrayList<>();
        String cursor = null;
        for (int page = 0; page < MAX_ITEM_PAGES; page++) {
            ObjectNode params = JSON.createObjectNode().put("threadId", threadId);
            if (cursor != null) {
                params.put("cursor", cursor);
            }
            JsonNode listed = call("thread/items/list", params);
            for (JsonNode entry : listed.path("data")) {
                if (turnId.equals(entry.path("turnId").asText())) {
                    items.add(entry.path("item"));
                }
            }
            cursor = listed.path("nextCursor").isTextual()
                    ? listed.path("nextCursor").asText()
                    : null;
            if (cursor == null) {
                break;
            }
        }
        return new TurnReadBack(turn, items);
    }

    /** The app-server answered a call with an error (as opposed to not answering, or the connection failing). */
    public static final class Refused extends IOException {
        Refused(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private JsonNode call(String method, JsonNode params) throws IOException {
        try {
            return rpc.request(method, params).get(timeoutSeconds, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            if (cause instanceof JsonRpcConnection.RpcError) {
                throw new Refused(method + " refused: " + cause.getMessage(), cause);
            }
            throw new IOException(method + " failed: " + cause.getMessage(), cause);
        } catch (TimeoutException e) {
            throw new IOException(method + " was not answered within " + timeoutSeconds + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(method + " was interrupted", e);
        }
    }
}
