package io.devopsconsole.agent.codex;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.devopsconsole.events.agent.AgentLifecycleEvent;
import io.devopsconsole.events.agent.CommandExecuted;
import io.devopsconsole.events.agent.StreamKind;
import io.devopsconsole.platform.redaction.SecretScanner;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * Turns app-server notifications and approval requests into stream records (and, for commands,
 * lifecycle events) for one worker. It remembers what a turn has open, so that when a turn ends
 * (or the connection is lost) every item that never got {@code item/completed} is closed, which
 * the binary does not do for the item that was streaming when a turn was interrupted. Not
 * thread-safe: one worker's messages are handled in order on that worker's executor.
 */
public final class TurnMapper {

    private static final Logger LOG = Logger.getLogger(TurnMapper.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    static final int OUTPUT_TAIL = 4096;

    /** One stream record before it gets its record id and sequence number. */
    public record Draft(StreamKind kind, String turnId, String itemId, ObjectNode payload) {
    }

    /** The records of one message and the lifecycle events it implies. */
    public record Mapped(List<Draft> drafts, List<AgentLifecycleEvent> events) {
        static Mapped none() {
            return new Mapped(List.of(), List.of());
        }
    }

    /** An approval the app-server is waiting for: our request key, and its own request id on this connection. */
    public record PendingApproval(String requestKey, JsonNode serverId, String method, String turnId, String itemId) {
    }

    private final UUID sessionId;
    private final UUID targetId;
    private final Map<String, ObjectNode> openItems = new LinkedHashMap<>();
    private final Map<String, ArrayNode> fileChanges = new LinkedHashMap<>();
    private final Map<String, String> approvalOfItem = new LinkedHashMap<>();
    private final Map<String, PendingApproval> pendingByServerId = new LinkedHashMap<>();
    private final Map<String, String> decisions = new LinkedHashMap<>();
    private final Map<String, long[]> quietSince = new LinkedHashMap<>(); // open command item -> {nanos, reported}
    private final Map<String, Long> startedNanos = new java.util.HashMap<>(); // open command item -> when the runner saw it start
    // what was streamed live of each open item (agent text, command output), to send what a reattach missed
    private final Map<String, StringBuilder> streamed = new java.util.HashMap<>();
    // items whose deltas arrived without their start (a takeover mid-item): each gets one stream_gap
    private final java.util.Set<String> gapNoted = new java.util.HashSet<>();
    private long totalTokens;
    private long turnStartTokens;
    private String threadId;

    public TurnMapper(UUID sessionId, UUID targetId) {
        this.sessionId = sessionId;
        this.targetId = targetId;
    }

    /** The thread's tokens so far (running total). */
    public long totalTokens() {
        return totalTokens;
    }

    /** Tokens the current turn used so far. */
    public long turnTokens() {
        return totalTokens - turnStartTokens;
    }

    /** A turn begins: its token count starts from the thread's total now. */
    public void turnBegins() {
        turnStartTokens = totalTokens;
        gapNoted.clear();
    }

    /**
     * The thread whose messages this maps (named in token usage records), and its tokens so far: a
     * turn taken over mid-way counts from there (what it used before the takeover is not known here).
     */
    public void thread(String id, long tokensSoFar) {
        this.threadId = id;
        this.totalTokens = Math.max(totalTokens, tokensSoFar);
        this.turnStartTokens = Math.max(turnStartTokens, tokensSoFar);
    }

    /**
     * A new connection to the same app-server: its request ids start again at 0, so what was
     * pending is forgotten (the server asks again for whatever still waits).
     */
    public void connectionReset() {
        pendingByServerId.clear();
    }

    /** A command that has run without output for longer than the threshold (reported once per command). */
    public record Quiet(String itemId, String command, long quietMillis) {
    }

    public List<Quiet> newlyStuck(long nowNanos, long thresholdNanos) {
        List<Quiet> out = new ArrayList<>();
        for (Map.Entry<String, long[]> e : quietSince.entrySet()) {
            long[] q = e.getValue();
            boolean waitsForPerson = pendingByServerId.values().stream().anyMatch(a -> e.getKey().equals(a.itemId()));
            if (waitsForPerson) {
                q[0] = nowNanos; // a command waiting for its approval is not quiet; its clock starts at the decision
                continue;
            }
            if (q[1] == 0 && nowNanos - q[0] > thresholdNanos) {
                q[1] = 1;
                ObjectNode item = openItems.get(e.getKey());
                out.add(new Quiet(e.getKey(), item == null ? null : item.path("command").asText(null), (nowNanos - q[0]) / 1_000_000));
            }
        }
        return out;
    }

    /** Whether the item is open (started, not completed). */
    public boolean isOpen(String itemId) {
        return openItems.containsKey(itemId);
    }

    /**
     * Records for an item read back from the thread after a reattach (its start, and its end if it
     * ended while nobody was attached). Their ids repeat those sent live, so whatever was already
     * stored is not stored twice.
     */
    public Mapped recovered(JsonNode item, String turnId) {
        return recovered(item, turnId, null);
    }

    /**
     * As {@link #recovered(JsonNode, String)}, marking what was not streamed live: for an item this
     * mapper streamed, the exact missing part (as deltas marked {@code recovered}); for an item it did
     * not see (a takeover), a {@code stream_gap} with everything it said, when it was still running or
     * ended after {@code unseenSinceEpochMs} (when the previous owner was last known to relay; null: a
     * reattach by the same runner, which knows what it streamed).
     */
    public Mapped recovered(JsonNode item, String turnId, Long unseenSinceEpochMs) {
        List<Draft> drafts = new ArrayList<>();
        List<AgentLifecycleEvent> events = new ArrayList<>();
        String id = item.path("id").asText(null);
        if (id == null || item.path("type").asText("").equals("userMessage")) {
            return Mapped.none();
        }
        boolean wasOpen = openItems.containsKey(id);
        StringBuilder before = streamed.get(id);
        String streamedLive = wasOpen && before != null ? before.toString() : null;
        if (!wasOpen) {
            drafts.addAll(itemStarted(item, turnId).drafts());
            startedNanos.remove(id); // its start was not seen live: no duration may be measured from now
        }
        String status = item.path("status").asText("");
        boolean ended = !item.path("completedAtMs").isMissingNode() && !item.path("completedAtMs").isNull()
                || status.equals("completed") || status.equals("failed") || status.equals("declined");
        JsonNode completedAt = item.path("completedAtMs");
        boolean endedUnseen = ended && (wasOpen || unseenSinceEpochMs != null && (!completedAt.isIntegralNumber()
                || completedAt.asLong() >= unseenSinceEpochMs));
        if (!ended || endedUnseen) {
            drafts.addAll(missed(item, turnId, id, streamedLive));
        }
        if (ended) {
            Mapped done = itemCompleted(item, turnId);
            drafts.addAll(done.drafts());
            events.addAll(done.events());
        }
        return new Mapped(drafts, events);
    }

    private void streamed(String itemId, String delta) {
        StringBuilder b = itemId == null ? null : streamed.get(itemId);
        if (b != null) {
            b.append(delta);
        }
    }

    /**
     * What of an item still in progress was not streamed live (produced while no runner was attached):
     * where this runner streamed the start of it, the missing part as ordinary deltas marked
     * {@code recovered}; where it did not (it took the session over), a {@code stream_gap} record with
     * everything the item said so far, which replaces what viewers hold; where codex gives nothing back,
     * a {@code stream_gap} saying so. Nothing when nothing was missed.
     */
    private List<Draft> missed(JsonNode item, String turnId, String id, String streamedLive) {
        String type = item.path("type").asText("");
        String field = switch (type) {
            case "agentMessage" -> "text";
            case "commandExecution" -> "aggregatedOutput";
            default -> null;
        };
        if (field == null) {
            return List.of();
        }
        StreamKind deltaKind = type.equals("agentMessage") ? StreamKind.AGENT_MESSAGE_DELTA : StreamKind.COMMAND_OUTPUT_DELTA;
        JsonNode value = item.path(field);
        StringBuilder now = streamed.computeIfAbsent(id, k -> new StringBuilder());
        ObjectNode gap = JSON.createObjectNode().put("item_type", snake(type)).put("reason",
                streamedLive != null ? "the connection to the app-server was lost while the item ran"
                        : "another agent-runner took the session over while the item ran");
        if (!value.isTextual()) {
            // codex gives no text for the item so far: whatever it produced meanwhile is unknown, so say so
            gap.put("recovered", false)
                    .put("message", "what the item produced while no runner was attached could not be read back; its"
                            + " final text, when it ends, is complete");
            if (streamedLive != null) {
                gap.put("streamed_chars", streamedLive.length());
            }
            return List.of(new Draft(StreamKind.STREAM_GAP, turnId, id, gap));
        }
        String full = value.asText();
        if (streamedLive != null && full.startsWith(streamedLive)) {
            if (full.length() == streamedLive.length()) {
                return List.of();
            }
            String rest = full.substring(streamedLive.length());
            now.setLength(0);
            now.append(full);
            return List.of(new Draft(deltaKind, turnId, id, JSON.createObjectNode().put("delta", rest).put("recovered", true)));
        }
        now.setLength(0);
        now.append(full);
        if (full.isEmpty()) {
            return List.of();
        }
        String sent = field.equals("text") ? full : full.length() > OUTPUT_TAIL ? full.substring(full.length() - OUTPUT_TAIL) : full;
        gap.put("recovered", true).put(field.equals("text") ? "text" : "output", sent)
                .put("message", "what the item produced while no runner was attached was read back from the thread");
        return List.of(new Draft(StreamKind.STREAM_GAP, turnId, id, gap));
    }

    /**
     * A delta of an item this runner never saw start and could not read back (it took the session over
     * while the item ran, and codex lists no unfinished item on resume): the first such delta is preceded
     * by a {@code stream_gap} saying that what the item produced before is missing from the live stream
     * (its final text, when it ends, is complete), so a viewer never sees a silent jump.
     */
    private Mapped unseenStart(String turnId, String itemId, String itemType, Mapped delta) {
        if (itemId == null || openItems.containsKey(itemId) || !gapNoted.add(itemId)) {
            return delta;
        }
        ObjectNode gap = JSON.createObjectNode().put("item_type", itemType)
                .put("reason", "another agent-runner took the session over while the item ran").put("recovered", false)
                .put("message", "what the item produced before this runner attached is missing from the live stream;"
                        + " its final text, when it ends, is complete");
        List<Draft> drafts = new ArrayList<>();
        drafts.add(new Draft(StreamKind.STREAM_GAP, turnId, itemId, gap));
        drafts.addAll(delta.drafts());
        return new Mapped(drafts, delta.events());
    }

    /** A notification (no id). Unknown methods map to nothing (logged at debug). */
    public Mapped notification(String method, JsonNode p) {
        String turnId = text(p, "turnId");
        switch (method) {
            case "turn/started" -> {
                return one(StreamKind.TURN_STARTED, p.path("turn").path("id").asText(turnId), null, JSON.createObjectNode());
            }
            case "item/started" -> {
                return itemStarted(p.path("item"), turnId);
            }
            case "item/agentMessage/delta" -> {
                streamed(text(p, "itemId"), p.path("delta").asText(""));
                return unseenStart(turnId, text(p, "itemId"), "agent_message", one(StreamKind.AGENT_MESSAGE_DELTA, turnId,
                        text(p, "itemId"), JSON.createObjectNode().put("delta", p.path("delta").asText(""))));
            }
            case "item/commandExecution/outputDelta" -> {
                long[] q = quietSince.get(text(p, "itemId"));
                if (q != null) {
                    q[0] = System.nanoTime();
                    q[1] = 0;
                }
                streamed(text(p, "itemId"), p.path("delta").asText(""));
                return unseenStart(turnId, text(p, "itemId"), "command_execution", one(StreamKind.COMMAND_OUTPUT_DELTA,
                        turnId, text(p, "itemId"), JSON.createObjectNode().put("delta", p.path("delta").asText(""))));
            }
            case "item/completed" -> {
                return itemCompleted(p.path("item"), turnId);
            }
            case "serverRequest/resolved" -> {
                PendingApproval resolved = pendingByServerId.remove(p.path("requestId").toString());
                if (resolved == null) {
                    return Mapped.none();
                }
                return one(StreamKind.APPROVAL_RESOLVED, resolved.turnId(), resolved.itemId(), JSON.createObjectNode()
                        .put("request_id", resolved.requestKey())
                        .put("decision", decisions.getOrDefault(resolved.requestKey(), "cleared")));
            }
            case "thread/tokenUsage/updated" -> {
                JsonNode total = p.path("tokenUsage").path("total");
                totalTokens = total.path("totalTokens").asLong(totalTokens);
                return one(StreamKind.TOKEN_USAGE, turnId, null, JSON.createObjectNode()
                        .put("input_tokens", total.path("inputTokens").asLong())
                        .put("cached_input_tokens", total.path("cachedInputTokens").asLong())
                        .put("output_tokens", total.path("outputTokens").asLong())
                        .put("total_tokens", total.path("totalTokens").asLong())
                        .put("last_total_tokens", p.path("tokenUsage").path("last").path("totalTokens").asLong())
                        .put("turn_total_tokens", Math.max(0, totalTokens - turnStartTokens))
                        .put("thread_id", threadId != null ? threadId : text(p, "threadId"))
                        .put("scope", "thread"));
            }
            case "error" -> {
                ObjectNode payload = JSON.createObjectNode()
                        .put("message", p.path("error").path("message").asText("the app-server reported an error"))
                        .put("will_retry", p.path("willRetry").asBoolean(false));
                JsonNode details = p.path("error").path("additionalDetails");
                if (!details.isMissingNode() && !details.isNull()) {
                    // the provider's own words, when codex passes them on, next to codex's generic message
                    payload.put("provider_details", details.isTextual() ? details.asText() : details.toString());
                }
                JsonNode info = p.path("error").path("codexErrorInfo");
                if (!info.isMissingNode() && !info.isNull()) {
                    // a string or an object, depending on the error: keep its name loosely
                    payload.put("codex_error", info.isTextual() ? info.asText() : info.fieldNames().hasNext()
                            ? info.fieldNames().next() : info.toString());
                }
                return one(StreamKind.ERROR, turnId, null, payload);
            }
            case "turn/completed" -> {
                JsonNode turn = p.path("turn");
                return turnEnded(turn.path("id").asText(turnId), turn.path("status").asText("completed"),
                        turn.path("error").path("message").asText(null));
            }
            default -> {
                LOG.debugf("notification %s not relayed", method);
                return Mapped.none();
            }
        }
    }

    /**
     * A server request. Approvals become {@code approval_requested} records with a request key that
     * is unique in the session ({@code <turnId>:<itemId>}: the server's own ids restart at 0 on
     * every connection). Returns null for requests the runner does not relay.
     */
    public PendingApproval approvalRequest(JsonNode serverId, String method, JsonNode p, List<Draft> out) {
        boolean command = method.equals("item/commandExecution/requestApproval") || method.equals("execCommandApproval");
        boolean file = method.equals("item/fileChange/requestApproval") || method.equals("applyPatchApproval");
        if (!command && !file) {
            return null;
        }
        String turnId = text(p, "turnId");
        String itemId = p.has("itemId") ? text(p, "itemId") : text(p, "callId");
        String key = (turnId == null ? "turn" : turnId) + ":" + (itemId == null ? serverId.toString() : itemId);
        PendingApproval pending = new PendingApproval(key, serverId, method, turnId, itemId);
        pendingByServerId.put(serverId.toString(), pending);
        if (itemId != null) {
            approvalOfItem.put(itemId, key);
        }
        ObjectNode payload = JSON.createObjectNode().put("request_id", key).put("approval_kind", command ? "command" : "file_change");
        if (command) {
            payload.put("command", commandText(p.path("command")));
            payload.put("cwd", text(p, "cwd"));
        } else {
            ArrayNode changes = itemId == null ? null : fileChanges.get(itemId);
            payload.set("changes", changes == null ? JSON.createArrayNode() : changes.deepCopy());
            payload.put("command", "apply changes to " + (changes == null ? 0 : changes.size()) + " file(s)");
        }
        payload.put("reason", text(p, "reason"));
        out.add(new Draft(StreamKind.APPROVAL_REQUESTED, turnId, itemId, payload));
        return pending;
    }

    /** Remembers the decision sent for an approval (reported when the server says it is resolved). */
    public void decided(String requestKey, String decision) {
        decisions.put(requestKey, decision);
    }

    /** The pending approval with this key, if the server still waits for it. */
    public PendingApproval pending(String requestKey) {
        return pendingByServerId.values().stream().filter(a -> a.requestKey().equals(requestKey)).findFirst().orElse(null);
    }

    public boolean hasPendingApprovals() {
        return !pendingByServerId.isEmpty();
    }

    /** Ends a turn the app-server will not end itself (connection lost, timed out): open items closed, then the end record. */
    public Mapped turnEnded(String turnId, String status, String message) {
        List<Draft> drafts = new ArrayList<>(closeOpenItems(turnId, status.equals("completed") ? "incomplete" : status));
        ObjectNode payload = JSON.createObjectNode();
        StreamKind kind = switch (status) {
            case "completed" -> StreamKind.TURN_COMPLETED;
            case "interrupted" -> StreamKind.TURN_INTERRUPTED;
            case "timed_out" -> StreamKind.TURN_TIMED_OUT;
            default -> StreamKind.TURN_FAILED;
        };
        if (kind == StreamKind.TURN_FAILED || kind == StreamKind.TURN_TIMED_OUT) {
            payload.put("message", message == null ? "the turn failed" : message);
        }
        drafts.add(new Draft(kind, turnId, null, payload));
        pendingByServerId.clear();
        return new Mapped(drafts, List.of());
    }

    private List<Draft> closeOpenItems(String turnId, String status) {
        List<Draft> drafts = new ArrayList<>();
        for (Map.Entry<String, ObjectNode> open : openItems.entrySet()) {
            ObjectNode payload = open.getValue().deepCopy().put("status", status);
            // the transcript keeps what the item said, even when the turn ends before the item does
            StringBuilder said = streamed.get(open.getKey());
            if (said != null && said.length() > 0) {
                String field = "agent_message".equals(payload.path("item_type").asText()) ? "text" : "output";
                String text = said.toString();
                payload.put(field, field.equals("output") && text.length() > OUTPUT_TAIL
                        ? text.substring(text.length() - OUTPUT_TAIL) : text);
            }
            drafts.add(new Draft(StreamKind.ITEM_COMPLETED, turnId, open.getKey(), payload));
        }
        openItems.clear();
        fileChanges.clear();
        quietSince.clear();
        startedNanos.clear();
        streamed.clear();
        return drafts;
    }

    private Mapped itemStarted(JsonNode item, String turnId) {
        String type = item.path("type").asText("");
        String id = item.path("id").asText(null);
        if (type.equals("userMessage") || id == null) {
            return Mapped.none(); // the operator's message is in the transcript already
        }
        ObjectNode payload = JSON.createObjectNode().put("item_type", snake(type));
        List<Draft> drafts = new ArrayList<>();
        if (type.equals("commandExecution")) {
            payload.put("command", commandText(item.path("command")));
            payload.put("cwd", item.path("cwd").asText(null));
        }
        if (type.equals("fileChange")) {
            ArrayNode changes = changes(item.path("changes"));
            fileChanges.put(id, changes);
            payload.set("changes", changes);
        }
        openItems.put(id, payload.deepCopy());
        if (type.equals("agentMessage") || type.equals("commandExecution")) {
            streamed.putIfAbsent(id, new StringBuilder());
        }
        if (type.equals("commandExecution")) {
            long now = System.nanoTime();
            quietSince.put(id, new long[] {now, 0});
            startedNanos.put(id, now);
        }
        drafts.add(new Draft(StreamKind.ITEM_STARTED, turnId, id, payload));
        if (type.equals("fileChange")) {
            for (JsonNode change : fileChanges.get(id)) {
                drafts.add(new Draft(StreamKind.FILE_CHANGE, turnId, id, ((ObjectNode) change).deepCopy()));
            }
        }
        return new Mapped(drafts, List.of());
    }

    /**
     * How long a command ran, in milliseconds: codex's own {@code durationMs} when it gives one above
     * zero; otherwise its item timestamps ({@code completedAtMs - startedAtMs}); otherwise the time
     * between this runner seeing the item start and end (which includes any wait for approval);
     * null when none is known (an item that started before a reattach). The record says which.
     */
    private Long duration(String id, JsonNode item) {
        Long started = startedNanos.remove(id);
        JsonNode codex = item.path("durationMs");
        if (codex.isIntegralNumber() && codex.asLong() > 0) {
            return codex.asLong();
        }
        if (item.path("startedAtMs").isIntegralNumber() && item.path("completedAtMs").isIntegralNumber()
                && item.path("completedAtMs").asLong() >= item.path("startedAtMs").asLong()) {
            return item.path("completedAtMs").asLong() - item.path("startedAtMs").asLong();
        }
        if (started != null) {
            return (System.nanoTime() - started) / 1_000_000;
        }
        return null; // codex's 0 is "not measured", not a fact
    }

    private static String durationSource(JsonNode item) {
        JsonNode codex = item.path("durationMs");
        if (codex.isIntegralNumber() && codex.asLong() > 0) {
            return "codex";
        }
        if (item.path("startedAtMs").isIntegralNumber() && item.path("completedAtMs").isIntegralNumber()
                && item.path("completedAtMs").asLong() >= item.path("startedAtMs").asLong()) {
            return "codex_timestamps";
        }
        return "measured_by_runner";
    }

    private Mapped itemCompleted(JsonNode item, String turnId) {
        String type = item.path("type").asText("");
        String id = item.path("id").asText(null);
        if (type.equals("userMessage") || id == null) {
            return Mapped.none();
        }
        openItems.remove(id);
        quietSince.remove(id);
        StringBuilder said = streamed.remove(id);
        ObjectNode payload = JSON.createObjectNode().put("item_type", snake(type));
        List<AgentLifecycleEvent> events = new ArrayList<>();
        String status = item.path("status").asText(null);
        if (status != null) {
            payload.put("status", status);
        }
        switch (type) {
            case "agentMessage" -> payload.put("text", item.path("text").asText("").isEmpty() && said != null
                    ? said.toString() : item.path("text").asText(""));
            case "commandExecution" -> {
                String command = commandText(item.path("command"));
                payload.put("command", command).put("cwd", item.path("cwd").asText(null));
                Integer exit = item.path("exitCode").isIntegralNumber() ? item.path("exitCode").asInt() : null;
                Long duration = duration(id, item);
                if (exit != null) {
                    payload.put("exit_code", exit);
                }
                if (duration != null) {
                    payload.put("duration_ms", duration);
                    payload.put("duration_source", durationSource(item));
                }
                String output = item.path("aggregatedOutput").asText("");
                if (output.isEmpty() && said != null && said.length() > 0) {
                    output = said.toString(); // an item read back without its output keeps what was streamed of it
                }
                payload.put("output", output.length() > OUTPUT_TAIL ? output.substring(output.length() - OUTPUT_TAIL) : output);
                String approval = approvalOfItem.remove(id);
                if (approval != null) {
                    payload.put("approval_request_id", approval);
                }
                events.add(new CommandExecuted(sessionId, targetId, turnId, id, SecretScanner.redactText(command),
                        item.path("cwd").asText(null), status == null ? "completed" : status, exit, duration, approval));
            }
            case "fileChange" -> {
                ArrayNode known = fileChanges.remove(id);
                payload.set("changes", item.has("changes") && item.path("changes").size() > 0 ? changes(item.path("changes"))
                        : known == null ? JSON.createArrayNode() : known);
                approvalOfItem.remove(id);
            }
            case "reasoning" -> payload.put("text", joined(item.path("summary")));
            default -> {
                // other item types: the type (and status) is what the console shows
            }
        }
        return new Mapped(List.of(new Draft(StreamKind.ITEM_COMPLETED, turnId, id, payload)), events);
    }

    private static ArrayNode changes(JsonNode changes) {
        ArrayNode out = JSON.createArrayNode();
        for (JsonNode c : changes) {
            ObjectNode change = out.addObject().put("path", c.path("path").asText(null));
            JsonNode kind = c.path("kind");
            change.put("kind", kind.isTextual() ? kind.asText() : kind.path("type").asText("update"));
            change.put("diff", c.path("diff").asText(""));
        }
        return out;
    }

    private static String joined(JsonNode parts) {
        if (parts.isTextual()) {
            return parts.asText();
        }
        StringBuilder b = new StringBuilder();
        for (JsonNode part : parts) {
            b.append(part.isTextual() ? part.asText() : part.path("text").asText(""));
        }
        return b.toString();
    }

    private static String commandText(JsonNode command) {
        if (command.isArray()) {
            List<String> parts = new ArrayList<>();
            command.forEach(c -> parts.add(c.asText()));
            return String.join(" ", parts);
        }
        return command.asText(null);
    }

    static String snake(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
    }

    private static String text(JsonNode p, String field) {
        JsonNode v = p.path(field);
        return v.isMissingNode() || v.isNull() ? null : v.asText();
    }

    private static Mapped one(StreamKind kind, String turnId, String itemId, ObjectNode payload) {
        return new Mapped(List.of(new Draft(kind, turnId, itemId, payload)), List.of());
    }
}
