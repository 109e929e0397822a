package io.devopsconsole.agent.codex;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.devopsconsole.events.Risk;
import io.devopsconsole.events.agent.AgentLifecycleEvent;
import io.devopsconsole.events.agent.CommandExecuted;
import io.devopsconsole.events.agent.StreamKind;
import io.devopsconsole.events.agent.stream.StreamContract;
import io.devopsconsole.events.agent.stream.StreamPayload;
import io.devopsconsole.events.agent.stream.StreamPayload.CommandOutcome;
import io.devopsconsole.events.agent.stream.StreamPayload.FileChange;
import io.devopsconsole.events.agent.stream.StreamPayload.ItemCompleted;
import io.devopsconsole.events.agent.stream.StreamPayload.ItemStarted;
import io.devopsconsole.platform.redaction.SecretScanner;
import io.devopsconsole.platform.text.StoredText;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Turns app-server notifications and approval requests into stream records (and, for commands,
 * lifecycle events) for one worker. It remembers what a turn has open, so that when a turn ends
 * (or the connection is lost) every item that never got {@code item/completed} is closed, which
 * the binary does not do for the item that was streaming when a turn was interrupted. Not
 * thread-safe: one worker's messages are handled in order on that worker's executor.
 */
public final class TurnMapper {

    private static final Logger LOG = Logger.getLogger(TurnMapper.class);
    static final int OUTPUT_TAIL = 4096;
    /** How much of one command's output the item's deltas keep at most (what was streamed live is always kept). */
    static final int OUTPUT_KEEP = 1 << 20;
    /** The largest delta the runner sends for output codex reported but did not stream. */
    static final int DELTA_CHUNK = 64 * 1024;

    /**
     * One stream record before it gets its record id and sequence number: a typed payload
     * ({@link StreamPayload}) and its JSON form.
     */
    public record Draft(StreamKind kind, String turnId, String itemId, ObjectNode payload) {

        public Draft(String turnId, String itemId, StreamPayload payload) {
            this(payload.streamKind(), turnId, itemId, StreamContract.write(payload));
        }
    }

    /** The records of one message and the lifecycle events it implies. */
    public record Mapped(List<Draft> drafts, List<AgentLifecycleEvent> events) {
        static Mapped none() {
            return new Mapped(List.of(), List.of());
        }
    }

    /** An approval the app-server is waiting for: our request key, and its own request id on this connection. */
    public record PendingApproval(String requestKey, JsonNode serverId, String method, String turnId, String itemId) {}

    private final UUID sessionId;
    private final UUID targetId;
    private final Map<String, ItemStarted> openItems = new LinkedHashMap<>();
    private final Map<String, List<FileChange>> fileChanges = new LinkedHashMap<>();
    private final Map<String, String> approvalOfItem = new LinkedHashMap<>();
    private final Map<String, PendingApproval> pendingByServerId = new LinkedHashMap<>();
    private final Map<String, String> decisions = new LinkedHashMap<>();
    private final Map<String, long[]> quietSince = new LinkedHashMap<>(); // open command item -> {nanos, reported}
    private final Map<String, Long> startedNanos =
            new java.util.HashMap<>(); // open command item -> when the runner saw it start
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
    public record Quiet(String itemId, String command, long quietMillis) {}

    public List<Quiet> newlyStuck(long nowNanos, long thresholdNanos) {
        List<Quiet> out = new ArrayList<>();
        for (Map.Entry<String, long[]> e : quietSince.entrySet()) {
            long[] q = e.getValue();
            boolean waitsForPerson =
                    pendingByServerId.values().stream().anyMatch(a -> e.getKey().equals(a.itemId()));
            if (waitsForPerson) {
                q[0] = nowNanos; // a command waiting for its approval is not quiet; its clock starts at the decision
                continue;
            }
            if (q[1] == 0 && nowNanos - q[0] > thresholdNanos) {
                q[1] = 1;
                ItemStarted item = openItems.get(e.getKey());
                out.add(new Quiet(
                        e.getKey(),
                        item instanceof ItemStarted.Command c ? c.command() : null,
                        (nowNanos - q[0]) / 1_000_000));
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
        boolean ended = !item.path("completedAtMs").isMissingNode()
                        && !item.path("completedAtMs").isNull()
                || status.equals("completed")
                || status.equals("failed")
                || status.equals("declined");
        JsonNode completedAt = item.path("completedAtMs");
        boolean endedUnseen = ended
                && (wasOpen
                        || unseenSinceEpochMs != null
                                && (!completedAt.isIntegralNumber() || completedAt.asLong() >= unseenSinceEpochMs));
        if (!ended || endedUnseen) {
            drafts.addAll(missed(item, turnId, id, streamedLive));
        }
        if (ended && !wasOpen && !endedUnseen) {
            streamed.remove(
                    id); // the previous owner streamed this item: what viewers hold is not this runner's to add to
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
        boolean message = type.equals("agentMessage");
        JsonNode value = item.path(field);
        StringBuilder now = streamed.computeIfAbsent(id, k -> new StringBuilder());
        String reason = streamedLive != null
                ? "the connection to the app-server was lost while the item ran"
                : "another agent-runner took the session over while the item ran";
        if (!value.isTextual()) {
            // codex gives no text for the item so far: whatever it produced meanwhile is unknown, so say so
            return List.of(new Draft(
                    turnId,
                    id,
                    new StreamPayload.StreamGap(
                            snake(type),
                            reason,
                            "what the item produced while no runner was attached could not be read back; its final text, when it"
                                    + " ends, is complete",
                            false,
                            null,
                            null,
                            streamedLive == null ? null : streamedLive.length())));
        }
        String full = value.asText();
        if (streamedLive != null && full.startsWith(streamedLive)) {
            if (full.length() == streamedLive.length()) {
                return List.of();
            }
            String rest = full.substring(streamedLive.length());
            now.setLength(0);
            now.append(full);
            return List.of(new Draft(
                    turnId,
                    id,
                    message
                            ? new StreamPayload.AgentMessageDelta(rest, true)
                            : new StreamPayload.CommandOutputDelta(rest, true)));
        }
        now.setLength(0);
        now.append(full);
        if (full.isEmpty()) {
            return List.of();
        }
        String sent = message ? full : tail(full);
        return List.of(new Draft(
                turnId,
                id,
                new StreamPayload.StreamGap(
                        snake(type),
                        reason,
                        "what the item produced while no runner was attached was read back from the thread",
                        true,
                        message ? sent : null,
                        message ? null : sent,
                        null)));
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
        List<Draft> drafts = new ArrayList<>();
        drafts.add(new Draft(
                turnId,
                itemId,
                new StreamPayload.StreamGap(
                        itemType,
                        "another agent-runner took the session over while the item ran",
                        "what the item produced before this runner"
                                + " attached is missing from the live stream; its final text, when it ends, is complete",
                        false,
                        null,
                        null,
                        null)));
        drafts.addAll(delta.drafts());
        return new Mapped(drafts, delta.events());
    }

    /** A notification (no id). Unknown methods map to nothing (logged at debug). */
    public Mapped notification(String method, JsonNode p) {
        String turnId = text(p, "turnId");
        switch (method) {
            case "turn/started" -> {
                return one(p.path("turn").path("id").asText(turnId), null, new StreamPayload.TurnStarted());
            }
            case "item/started" -> {
                return itemStarted(p.path("item"), turnId);
            }
            case "item/agentMessage/delta" -> {
                streamed(text(p, "itemId"), p.path("delta").asText(""));
                return unseenStart(
                        turnId,
                        text(p, "itemId"),
                        "agent_message",
                        one(
                                turnId,
                                text(p, "itemId"),
                                new StreamPayload.AgentMessageDelta(
                                        p.path("delta").asText(""), null)));
            }
            case "item/commandExecution/outputDelta" -> {
                long[] q = quietSince.get(text(p, "itemId"));
                if (q != null) {
                    q[0] = System.nanoTime();
                    q[1] = 0;
                }
                streamed(text(p, "itemId"), p.path("delta").asText(""));
                return unseenStart(
                        turnId,
                        text(p, "itemId"),
                        "command_execution",
                        one(
                                turnId,
                                text(p, "itemId"),
                                new StreamPayload.CommandOutputDelta(
                                        p.path("delta").asText(""), null)));
            }
            case "item/completed" -> {
                return itemCompleted(p.path("item"), turnId);
            }
            case "serverRequest/resolved" -> {
                PendingApproval resolved =
                        pendingByServerId.remove(p.path("requestId").toString());
                if (resolved == null) {
                    return Mapped.none();
                }
                return one(
                        resolved.turnId(),
                        resolved.itemId(),
                        new StreamPayload.ApprovalResolved(
                                resolved.requestKey(), decisions.getOrDefault(resolved.requestKey(), "cleared")));
            }
            case "thread/tokenUsage/updated" -> {
                JsonNode total = p.path("tokenUsage").path("total");
                totalTokens = total.path("totalTokens").asLong(totalTokens);
                return one(
                        turnId,
                        null,
                        new StreamPayload.TokenUsage(
                                total.path("inputTokens").asLong(),
                                total.path("cachedInputTokens").asLong(),
                                total.path("outputTokens").asLong(),
                                total.path("totalTokens").asLong(),
                                p.path("tokenUsage")
                                        .path("last")
                                        .path("totalTokens")
                                        .asLong(),
                                Math.max(0, totalTokens - turnStartTokens),
                                threadId != null ? threadId : text(p, "threadId"),
                                "thread"));
            }
            case "error" -> {
                JsonNode details = p.path("error").path("additionalDetails");
                // the provider's own words, when codex passes them on, next to codex's generic message
                String provider = details.isMissingNode() || details.isNull()
                        ? null
                        : details.isTextual() ? details.asText() : details.toString();
                JsonNode info = p.path("error").path("codexErrorInfo");
                // a string or an object, depending on the error: keep its name loosely
                String codexError = info.isMissingNode() || info.isNull()
                        ? null
                        : info.isTextual()
                                ? info.asText()
                                : info.fieldNames().hasNext()
                                        ? info.fieldNames().next()
                                        : info.toString();
                return one(
                        turnId,
                        null,
                        new StreamPayload.Error(
                                p.path("error").path("message").asText("the app-server reported an error"),
                                p.path("willRetry").asBoolean(false),
                                codexError,
                                provider,
                                null,
                                null));
            }
            case "turn/completed" -> {
                JsonNode turn = p.path("turn");
                return turnEnded(
                        turn.path("id").asText(turnId),
                        turn.path("status").asText("completed"),
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
        boolean command =
                method.equals("item/commandExecution/requestApproval") || method.equals("execCommandApproval");
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
        StreamPayload.ApprovalRequested payload;
        if (command) {
            String line = commandText(p.path("command"));
            payload = new StreamPayload.ApprovalRequested(
                    key,
                    StreamPayload.ApprovalKind.COMMAND,
                    line,
                    text(p, "cwd"),
                    text(p, "reason"),
                    Risk.ofCommand(line),
                    null);
        } else {
            List<FileChange> changes = itemId == null ? null : fileChanges.get(itemId);
            payload = new StreamPayload.ApprovalRequested(
                    key,
                    StreamPayload.ApprovalKind.FILE_CHANGE,
                    "apply changes to " + (changes == null ? 0 : changes.size()) + " file(s)",
                    null,
                    text(p, "reason"),
                    Risk.ELEVATED,
                    changes == null ? List.of() : changes);
        }
        out.add(new Draft(turnId, itemId, payload));
        return pending;
    }

    /** Remembers the decision sent for an approval (reported when the server says it is resolved). */
    public void decided(String requestKey, String decision) {
        decisions.put(requestKey, decision);
    }

    /** The pending approval with this key, if the server still waits for it. */
    public PendingApproval pending(String requestKey) {
        return pendingByServerId.values().stream()
                .filter(a -> a.requestKey().equals(requestKey))
                .findFirst()
                .orElse(null);
    }

    public boolean hasPendingApprovals() {
        return !pendingByServerId.isEmpty();
    }

    /** Ends a turn the app-server will not end itself (connection lost, timed out): open items closed, then the end record. */
    public Mapped turnEnded(String turnId, String status, String message) {
        List<Draft> drafts =
                new ArrayList<>(closeOpenItems(turnId, status.equals("completed") ? "incomplete" : status));
        StreamPayload.TurnOutcome outcome = switch (status) {
            case "completed" -> StreamPayload.TurnOutcome.COMPLETED;
            case "interrupted" -> StreamPayload.TurnOutcome.INTERRUPTED;
            case "timed_out" -> StreamPayload.TurnOutcome.TIMED_OUT;
            default -> StreamPayload.TurnOutcome.FAILED;
        };
        boolean failed = outcome == StreamPayload.TurnOutcome.FAILED || outcome == StreamPayload.TurnOutcome.TIMED_OUT;
        drafts.add(new Draft(
                turnId,
                null,
                new StreamPayload.TurnEnded(outcome, failed ? (message == null ? "the turn failed" : message) : null)));
        pendingByServerId.clear();
        return new Mapped(drafts, List.of());
    }

    private List<Draft> closeOpenItems(String turnId, String status) {
        List<Draft> drafts = new ArrayList<>();
        for (Map.Entry<String, ItemStarted> open : openItems.entrySet()) {
            // the transcript keeps what the item said, even when the turn ends before the item does
            StringBuilder streamedOf = streamed.get(open.getKey());
            String said = streamedOf == null || streamedOf.length() == 0 ? null : streamedOf.toString();
            ItemStarted started = open.getValue();
            ItemCompleted closed;
            if (started instanceof ItemStarted.AgentMessage m) {
                closed = new ItemCompleted.AgentMessage(m.itemType(), status, said);
            } else if (started instanceof ItemStarted.Command c) {
                closed = new ItemCompleted.Command(
                        c.itemType(),
                        status,
                        CommandOutcome.of(status, null),
                        c.command(),
                        c.cwd(),
                        null,
                        null,
                        null,
                        said == null ? null : tail(said),
                        said == null ? null : said.length(),
                        approvalOfItem.get(open.getKey()));
            } else if (started instanceof ItemStarted.FileChanges f) {
                closed = new ItemCompleted.FileChanges(f.itemType(), status, f.changes());
            } else {
                closed = new ItemCompleted.Other(started.itemType(), status, said);
            }
            drafts.add(new Draft(turnId, open.getKey(), closed));
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
        String itemType = snake(type);
        List<Draft> drafts = new ArrayList<>();
        ItemStarted payload = switch (type) {
            case "agentMessage" -> new ItemStarted.AgentMessage(itemType);
            case "commandExecution" ->
                new ItemStarted.Command(
                        itemType,
                        commandText(item.path("command")),
                        item.path("cwd").asText(null));
            case "fileChange" -> {
                List<FileChange> changes = changes(item.path("changes"));
                fileChanges.put(id, changes);
                yield new ItemStarted.FileChanges(itemType, changes);
            }
            default -> new ItemStarted.Other(itemType);
        };
        openItems.put(id, payload);
        if (type.equals("agentMessage") || type.equals("commandExecution")) {
            streamed.putIfAbsent(id, new StringBuilder());
        }
        if (type.equals("commandExecution")) {
            long now = System.nanoTime();
            quietSince.put(id, new long[] {now, 0});
            startedNanos.put(id, now);
        }
        drafts.add(new Draft(turnId, id, payload));
        if (type.equals("fileChange")) {
            for (FileChange change : fileChanges.get(id)) {
                drafts.add(new Draft(
                        turnId, id, new StreamPayload.FileChangeRecord(change.path(), change.kind(), change.diff())));
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
        if (item.path("startedAtMs").isIntegralNumber()
                && item.path("completedAtMs").isIntegralNumber()
                && item.path("completedAtMs").asLong()
                        >= item.path("startedAtMs").asLong()) {
            return item.path("completedAtMs").asLong()
                    - item.path("startedAtMs").asLong();
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
        if (item.path("startedAtMs").isIntegralNumber()
                && item.path("completedAtMs").isIntegralNumber()
                && item.path("completedAtMs").asLong()
                        >= item.path("startedAtMs").asLong()) {
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
        String itemType = snake(type);
        List<AgentLifecycleEvent> events = new ArrayList<>();
        String status = item.path("status").asText(null);
        ItemCompleted payload;
        List<Draft> drafts = new ArrayList<>();
        switch (type) {
            case "agentMessage" ->
                payload = new ItemCompleted.AgentMessage(
                        itemType,
                        status,
                        item.path("text").asText("").isEmpty() && said != null
                                ? said.toString()
                                : item.path("text").asText(""));
            case "commandExecution" -> {
                String command = commandText(item.path("command"));
                Integer exit = item.path("exitCode").isIntegralNumber()
                        ? item.path("exitCode").asInt()
                        : null;
                Long duration = duration(id, item);
                String output = item.path("aggregatedOutput").asText("");
                if (output.isEmpty() && said != null && said.length() > 0) {
                    output = said.toString(); // an item read back without its output keeps what was streamed of it
                }
                String approval = approvalOfItem.remove(id);
                // what codex reports beyond what was streamed live goes out as deltas first (up to the
                // limit), so the item's deltas hold the whole output and the tail below is never all there is
                drafts.addAll(unstreamed(turnId, id, said, output));
                payload = new ItemCompleted.Command(
                        itemType,
                        status,
                        CommandOutcome.of(status, exit),
                        command,
                        item.path("cwd").asText(null),
                        exit,
                        duration,
                        duration == null ? null : durationSource(item),
                        tail(output),
                        output.length(),
                        approval);
                events.add(new CommandExecuted(
                        sessionId,
                        targetId,
                        turnId,
                        id,
                        SecretScanner.redactText(command),
                        item.path("cwd").asText(null),
                        status == null ? "completed" : status,
                        exit,
                        duration,
                        approval));
            }
            case "fileChange" -> {
                List<FileChange> known = fileChanges.remove(id);
                payload = new ItemCompleted.FileChanges(
                        itemType,
                        status,
                        item.has("changes") && item.path("changes").size() > 0
                                ? changes(item.path("changes"))
                                : known == null ? List.of() : known);
                approvalOfItem.remove(id);
            }
            case "reasoning" -> payload = new ItemCompleted.Other(itemType, status, joined(item.path("summary")));
            // other item types: the type (and status) is what the console shows
            default -> payload = new ItemCompleted.Other(itemType, status, null);
        }
        drafts.add(new Draft(turnId, id, payload));
        return new Mapped(List.copyOf(drafts), events);
    }

    /**
     * The part of a completed command's output that was not streamed live (codex reported more than its
     * deltas said): as {@code recovered} deltas of at most {@link #DELTA_CHUNK} characters each, up to
     * {@link #OUTPUT_KEEP} characters of output in all. Nothing when the deltas said it all, when what
     * was streamed is not the start of what codex reports (then the tail is what is known), or when this
     * runner did not stream the item from its start.
     */
    private static List<Draft> unstreamed(String turnId, String itemId, CharSequence said, String output) {
        if (said == null) {
            return List.of(); // not streamed by this runner: whatever viewers hold came from elsewhere
        }
        int streamedChars = said.length();
        if (output.length() <= streamedChars || !output.startsWith(said.toString())) {
            return List.of();
        }
        // never split a pair: not at the limit, not between two records
        int end = StoredText.safeEnd(output, Math.min(output.length(), Math.max(streamedChars, OUTPUT_KEEP)));
        List<Draft> out = new ArrayList<>();
        for (int from = streamedChars; from < end; ) {
            int to = from + DELTA_CHUNK >= end ? end : StoredText.safeEnd(output, from + DELTA_CHUNK);
            out.add(new Draft(turnId, itemId, new StreamPayload.CommandOutputDelta(output.substring(from, to), true)));
            from = to;
        }
        return out;
    }

    private static List<FileChange> changes(JsonNode changes) {
        List<FileChange> out = new ArrayList<>();
        for (JsonNode c : changes) {
            JsonNode kind = c.path("kind");
            out.add(new FileChange(
                    c.path("path").asText(null),
                    kind.isTextual() ? kind.asText() : kind.path("type").asText("update"),
                    c.path("diff").asText("")));
        }
        return List.copyOf(out);
    }

    /** A command's output as records keep it: its last 4,096 characters. */
    private static String tail(String output) {
        return output.length() > OUTPUT_TAIL ? output.substring(output.length() - OUTPUT_TAIL) : output;
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

    private static Mapped one(String turnId, String itemId, StreamPayload payload) {
        return new Mapped(List.of(new Draft(turnId, itemId, payload)), List.of());
    }
}
