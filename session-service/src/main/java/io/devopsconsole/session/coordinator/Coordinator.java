package io.devopsconsole.session.coordinator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.devopsconsole.events.session.CoordinatorProposalDecided;
import io.devopsconsole.events.session.CoordinatorToolCalled;
import io.devopsconsole.platform.problem.ConflictException;
import io.devopsconsole.platform.problem.InvalidFieldException;
import io.devopsconsole.session.coordinator.Conversations.Conversation;
import io.devopsconsole.session.coordinator.Conversations.Entry;
import io.devopsconsole.session.coordinator.Conversations.Proposal;
import io.devopsconsole.session.coordinator.Tools.Operator;
import io.devopsconsole.session.session.SessionService;
import io.devopsconsole.session.stream.StreamHub;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;

/**
 * The coordinator chat: takes the operator's message, and answers it with a confirmation (the
 * message is a pending proposal's phrase), a slash command, or a turn of the coordinator's Codex
 * (when it has auth) — each tool call through {@link Tools} as the operator, recorded in the
 * conversation and in the audit. Work runs on the coordinator's own threads, never on an event loop;
 * the operator's HTTP request only stores the message. ADR 0026.
 */
@ApplicationScoped
public class Coordinator {

    private static final Logger LOG = Logger.getLogger(Coordinator.class);
    static final Duration AWAIT = Duration.ofSeconds(30);

    private final Conversations conversations;
    private final Tools tools;
    private final CoordinatorConfig config;
    private final CodexCoordinator codex;
    private final StreamHub hub;
    private final Vertx vertx;
    private final ExecutorService workers = Executors.newFixedThreadPool(4, new java.util.concurrent.ThreadFactory() {
        private final AtomicInteger n = new AtomicInteger();

        @Override
        public Thread newThread(Runnable r) {
            Thread t = new Thread(r, "coordinator-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        }
    });
    private long expiryTimer = -1;

    public Coordinator(
            Conversations conversations,
            Tools tools,
            CoordinatorConfig config,
            CodexCoordinator codex,
            StreamHub hub,
            Vertx vertx) {
        this.conversations = conversations;
        this.tools = tools;
        this.config = config;
        this.codex = codex;
        this.hub = hub;
        this.vertx = vertx;
        tools.relayWith(this::relay);
        tools.progressWith(this::status);
    }

    void start(@Observes StartupEvent event) {
        expiryTimer = vertx.setPeriodic(2000, id -> expire());
    }

    void stop(@Observes ShutdownEvent event) {
        if (expiryTimer >= 0) {
            vertx.cancelTimer(expiryTimer);
        }
        workers.shutdownNow();
    }

    /** The stored message: the conversation and the message's position in it. */
    public record Posted(UUID conversationId, long seq) {}

    /**
     * Stores the operator's message and answers it on the coordinator's threads. 409 while the
     * coordinator is still answering the operator's previous message.
     */
    public Uni<Posted> post(Operator operator, String text) {
        return detached(conversations
                .open(operator.name())
                .flatMap(conversation -> conversations
                        .beginTurn(
                                conversation.id(), config.codex().turnTimeout().plusMinutes(1))
                        .flatMap(begun -> {
                            if (!begun) {
                                throw new ConflictException("the coordinator is still answering your previous message");
                            }
                            return conversations
                                    .append(
                                            conversation.id(),
                                            Entry.of(
                                                    "operator_message",
                                                    operator.name(),
                                                    Conversations.body().put("text", text)))
                                    // not stored: the conversation is free again
                                    .onFailure()
                                    .call(f -> conversations.endTurn(conversation.id()))
                                    .invoke(seq -> workers.execute(() -> answer(operator, conversation, text)))
                                    .map(seq -> new Posted(conversation.id(), seq));
                        })));
    }

    /**
     * Runs {@code work} to its end whatever the client does: a caller that disconnects only loses the
     * answer; it never stops a change half-way (a conversation marked busy with no answer coming, a
     * proposal confirmed but never run, a decision without its record).
     */
    static <T> Uni<T> detached(Uni<T> work) {
        return io.devopsconsole.platform.lifecycle.Detached.run(work);
    }

    private void answer(Operator operator, Conversation conversation, String text) {
        try {
            String said = text.strip();
            Optional<Proposal> confirmed = conversations.pending(conversation.id()).await().atMost(AWAIT).stream()
                    .filter(p -> p.phrase().equals(said))
                    .findFirst();
            if (confirmed.isPresent()) {
                confirm(operator, conversation.id(), confirmed.get().id(), said);
            } else if (said.startsWith("/")) {
                slash(operator, conversation, said);
            } else {
                Optional<String> missing = codex.unavailable();
                if (missing.isPresent()) {
                    note(
                            conversation.id(),
                            "I cannot read free text on this installation: " + missing.get()
                                    + ". Slash commands work without a model — type /help.");
                } else {
                    codex.turn(operator, conversation, text, this);
                }
            }
        } catch (RuntimeException e) {
            LOG.warnf(e, "coordinator answer in conversation %s failed", conversation.id());
            note(conversation.id(), "That did not work: " + e.getMessage());
        } finally {
            conversations.endTurn(conversation.id()).await().atMost(AWAIT);
        }
    }

    void note(UUID conversationId, String text) {
        conversations
                .append(
                        conversationId,
                        Entry.of("coordinator_note", null, Conversations.body().put("text", text)))
                .await()
                .atMost(AWAIT);
    }

    void status(UUID conversationId, String text) {
        conversations
                .append(
                        conversationId,
                        Entry.of(
                                "coordinator_status", null, Conversations.body().put("text", text)))
                .await()
                .atMost(AWAIT);
    }

    private void slash(Operator operator, Conversation conversation, String said) {
        SlashCommands.Parsed parsed = SlashCommands.parse(said);
        if (parsed.help() != null) {
            note(conversation.id(), parsed.help());
            return;
        }
        runTool(operator, conversation, "slash", parsed.tool(), parsed.args(), false, null);
    }

    /**
     * Runs one tool for the operator: a status line first, then its result card or its proposal, each
     * stored with the audit event saying the call came through the coordinator, in this conversation.
     */
    Tools.Result runTool(
            Operator operator,
            Conversation conversation,
            String via,
            String name,
            ObjectNode args,
            boolean confirmed,
            UUID proposalId) {
        Tools.Tool tool = tools.get(name);
        Tools.Result result;
        if (tool == null) {
            result = Tools.Result.refused(404, null, "there is no tool named " + name);
        } else {
            status(conversation.id(), statusLine(tool, args));
            try {
                Tools.check(tool, args);
                if (!confirmed && tool.confirm() == Tools.Confirm.ALWAYS && !operator.hasAny(tool.roles())) {
                    // no proposal card for someone who could not confirm it: the API would refuse the act anyway
                    throw new Tools.Refusal(
                            403,
                            name + " needs the " + tool.role() + " role; " + operator.name() + " does not have it");
                }
                result = tool.handler().run(new Tools.Call(operator, conversation, via, args, confirmed, proposalId));
            } catch (Tools.Refusal r) {
                result = Tools.Result.refused(r.status, null, r.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                result = Tools.Result.refused(503, null, "interrupted");
            } catch (RuntimeException e) {
                LOG.warnf(e, "tool %s failed", name);
                result = new Tools.Result("failed", 500, null, "the tool failed: " + e, null, null, null);
            }
        }
        if (result.run() != null && !result.run().equals(conversation.run())) {
            conversations.setRun(conversation.id(), result.run()).await().atMost(AWAIT);
        }
        String subject = result.subject() == null ? null : clip(result.subject(), 200);
        CoordinatorToolCalled event = new CoordinatorToolCalled(
                conversation.id(),
                name,
                via,
                subject,
                result.outcome(),
                result.status(),
                proposalId,
                result.outcome().equals("ok") ? null : clip(result.text(), 500));
        if (result.proposal() != null) {
            OffsetDateTime now = SessionService.now();
            Proposal p = new Proposal(
                    UUID.randomUUID(),
                    conversation.id(),
                    name,
                    io.devopsconsole.platform.text.StoredText.guardTree(
                                    result.proposal().arguments())
                            .toString(),
                    result.proposal().summary(),
                    result.proposal().phrase(),
                    "pending",
                    now.plus(config.proposalTtl()),
                    null,
                    null);
            ObjectNode card = Conversations.body()
                    .put("proposal_id", p.id().toString())
                    .put("tool", name)
                    .put("summary", p.summary())
                    .put("phrase", p.phrase())
                    .put("expires_at", p.expiresAt().toString())
                    .put("text", result.text());
            conversations
                    .propose(p, operator.name(), now, Entry.of("coordinator_proposal", null, card), event)
                    .await()
                    .atMost(AWAIT);
            return new Tools.Result(
                    "proposed",
                    null,
                    subject,
                    "Proposed: " + p.summary() + ". Nothing has happened yet. Ask the operator to type exactly \""
                            + p.phrase() + "\" (or press Confirm on the card) within "
                            + config.proposalTtl().toMinutes() + " minutes.",
                    null,
                    result.proposal(),
                    result.run());
        }
        ObjectNode body = Conversations.body()
                .put("tool", name)
                .put("via", via)
                .put("outcome", result.outcome())
                .put("text", result.text());
        if (result.status() != null) {
            body.put("status", result.status());
        }
        if (result.card() != null) {
            body.set("card", result.card());
        }
        conversations
                .append(
                        conversation.id(),
                        List.of(Entry.of("coordinator_tool_result", null, body)),
                        List.of(event),
                        operator.name())
                .await()
                .atMost(AWAIT);
        return result;
    }

    private static String statusLine(Tools.Tool tool, ObjectNode args) {
        String about = "";
        for (String f : List.of("name", "project", "target")) {
            JsonNode v = args.get(f);
            if (v != null && v.isTextual() && !v.asText().isBlank()) {
                about = " " + clip(v.asText(), 80);
                break;
            }
        }
        return tool.name().replace('_', ' ') + about + " …";
    }

    private static String clip(String s, int max) {
        return io.devopsconsole.platform.text.StoredText.clip(s, max);
    }

    /**
     * Confirms a pending proposal with its phrase and runs it once (on the coordinator's threads).
     * 400 naming {@code phrase} when it does not match; 409 when it was decided already or expired.
     */
    public Uni<Proposal> confirm(Operator operator, UUID proposalId, String phrase) {
        return detached(conversations
                .find(operator.name())
                .map(found -> found.orElseThrow(
                        () -> new io.devopsconsole.platform.problem.ResourceNotFoundException("proposal", proposalId)))
                .flatMap(conversation -> conversations
                        .proposal(conversation.id(), proposalId)
                        .flatMap(p -> {
                            if (phrase == null || !p.phrase().equals(phrase.strip())) {
                                throw new InvalidFieldException("phrase", "must be exactly \"" + p.phrase() + "\"");
                            }
                            return conversations.decide(conversation.id(), proposalId, "confirmed", operator.name());
                        })
                        .invoke(p -> workers.execute(() -> {
                            try {
                                recordDecision(operator.name(), p, "confirmed");
                                run(operator, conversation, p);
                            } catch (RuntimeException e) {
                                LOG.warnf(e, "running confirmed proposal %s failed", p.id());
                                note(conversation.id(), "The confirmed operation failed: " + e.getMessage());
                            }
                        }))));
    }

    /** The phrase was typed in the chat (on a coordinator thread already). */
    private void confirm(Operator operator, UUID conversationId, UUID proposalId, String phrase) {
        Conversation conversation =
                conversations.find(operator.name()).await().atMost(AWAIT).orElseThrow();
        Proposal p;
        try {
            p = conversations
                    .decide(conversationId, proposalId, "confirmed", operator.name())
                    .await()
                    .atMost(AWAIT);
        } catch (ConflictException e) {
            note(conversationId, e.getMessage());
            return;
        }
        recordDecision(operator.name(), p, "confirmed");
        run(operator, conversation, p);
    }

    private void run(Operator operator, Conversation conversation, Proposal p) {
        Tools.Result result =
                runTool(operator, conversation, "confirmation", p.tool(), Conversations.arguments(p), true, p.id());
        conversations.finish(p.id(), result.outcome()).await().atMost(AWAIT);
    }

    /** Cancels a pending proposal; 409 when it was decided already or expired. */
    public Uni<Proposal> cancel(Operator operator, UUID proposalId) {
        return detached(conversations
                .find(operator.name())
                .map(found -> found.orElseThrow(
                        () -> new io.devopsconsole.platform.problem.ResourceNotFoundException("proposal", proposalId)))
                .flatMap(conversation ->
                        conversations.decide(conversation.id(), proposalId, "cancelled", operator.name()))
                .call(p -> recordDecisionAsync(operator.name(), p, "cancelled")));
    }

    private void recordDecision(String who, Proposal p, String decision) {
        recordDecisionAsync(who, p, decision).await().atMost(AWAIT);
    }

    private Uni<Long> recordDecisionAsync(String who, Proposal p, String decision) {
        ObjectNode body = Conversations.body()
                .put("proposal_id", p.id().toString())
                .put("decision", decision)
                .put("summary", p.summary());
        if (!decision.equals("expired")) {
            body.put("decided_by", who);
        }
        return conversations.append(
                p.conversationId(),
                List.of(Entry.of("coordinator_proposal_decided", decision.equals("expired") ? null : who, body)),
                List.of(new CoordinatorProposalDecided(
                        p.id(),
                        p.conversationId(),
                        p.tool(),
                        p.summary(),
                        decision,
                        decision.equals("expired") ? null : who)),
                who);
    }

    private void expire() {
        conversations
                .expireOverdue()
                .subscribe()
                .with(
                        expired -> expired.forEach(p -> recordDecisionAsync("system:session-service", p, "expired")
                                .subscribe()
                                .with(v -> {}, f -> LOG.warnf("recording the expiry of %s failed: %s", p.id(), f))),
                        f -> LOG.debugf("proposal expiry sweep failed: %s", f));
    }

    /**
     * Relays a project worker's answer into the conversation: its deltas as they are stored, until
     * its turn ends (or the relay time is up); the whole answer's text.
     */
    String relay(Tools.Call call, UUID sessionId, long afterSeq, String project) throws InterruptedException {
        StringBuilder answer = new StringBuilder();
        long deadline = System.nanoTime() + config.relayTimeout().toNanos();
        UUID conversationId = call.conversation().id();
        java.util.stream.Stream<StreamHub.Item> stream = hub.subscribe(sessionId, afterSeq)
                .ifNoItem()
                .after(config.relayTimeout())
                .recoverWithCompletion()
                .subscribe()
                .asStream();
        // closing the stream cancels the subscription: this viewer leaves, nothing else changes
        try (stream) {
            var iterator = stream.iterator();
            while (System.nanoTime() < deadline && iterator.hasNext()) {
                StreamHub.Item item = iterator.next();
                if (item.entry() == null) {
                    continue;
                }
                String kind = item.entry().kind();
                if (kind.equals("agent_message_delta")) {
                    String delta = io.devopsconsole.events.EventJson.mapper()
                            .readTree(item.entry().body())
                            .path("delta")
                            .asText("");
                    answer.append(delta);
                    conversations
                            .append(
                                    conversationId,
                                    Entry.of(
                                            "coordinator_relay",
                                            null,
                                            Conversations.body()
                                                    .put("project", project)
                                                    .put("session_id", sessionId.toString())
                                                    .put("delta", delta)))
                            .await()
                            .atMost(AWAIT);
                } else if (kind.startsWith("turn_") && !kind.equals("turn_started")) {
                    break;
                }
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            answer.append(" (the worker's answer could not be read: ")
                    .append(e.getOriginalMessage())
                    .append(')');
        }
        return answer.length() == 0 ? "(no answer yet)" : answer.toString();
    }
}
