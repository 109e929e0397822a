package io.devopsconsole.agent.worker;

import com.fasterxml.jackson.databind.JsonNode;
import io.devopsconsole.agent.AgentConfig;
import io.devopsconsole.agent.codex.TurnMapper;
import io.devopsconsole.agent.inventory.Inventory;
import io.devopsconsole.agent.ssh.SshConnector;
import io.devopsconsole.events.agent.AgentCommand;
import io.devopsconsole.events.agent.ApprovalDecided;
import io.devopsconsole.events.agent.InterruptRequested;
import io.devopsconsole.events.agent.StopWorker;
import io.devopsconsole.events.agent.TurnEnded;
import io.devopsconsole.events.agent.TurnRequested;
import io.devopsconsole.events.agent.TurnStarted;
import io.devopsconsole.events.agent.stream.StreamPayload;
import io.devopsconsole.platform.metrics.RelayHops;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * Drives one session while this runner owns it: its workers (one {@code codex app-server} per bound
 * target the session has used), their threads, and one turn at a time (messages that arrive during
 * a turn wait for it to end). Everything that changes this state runs on the session's own single
 * thread, in arrival order: commands from Kafka, messages from the app-servers (read on each
 * connection's reader thread and handed over), and the once-a-second tick.
 * <p>
 * Ownership: on its first step the driver takes the session's fence (one higher than any earlier
 * owner's) and adopts the session's live workers. A durable worker is reattached: new SSH channel,
 * {@code app-server proxy} to the same app-server, {@code thread/resume}, then the current turn's
 * items are read back from the thread and sent (with the ids they had, so nothing is stored twice);
 * an approval the app-server asks for again is answered from the recorded decision. A dropped
 * connection does the same, retried for {@code reattach-window}. Once another runner has taken
 * the session (its stream block or a worker row refuses this driver's fence), the driver lets go
 * of everything without touching the app-servers.
 */
final class SessionDriver {

    private static final Logger LOG = Logger.getLogger(SessionDriver.class);

    /** The collaborators a driver uses. */
    record Deps(
            Inventory inventory,
            SshConnector ssh,
            StreamPublisher publisher,
            WorkerStore store,
            CommandLog log,
            AgentConfig config,
            MeterRegistry meters) {}

    /** Why no worker could be started; said on the stream, never thrown at the operator. */
    static final class Refused extends Exception {
        Refused(String message) {
            super(message);
        }
    }

    /** What the links report, handed to the session thread (ignored once that connection is replaced). */
    private final class Reports implements WorkerLink.Listener {
        @Override
        public void onNotification(Worker w, int generation, String method, JsonNode params) {
            long readAt = System.nanoTime(); // on the connection's reader thread, as the line was read
            post(() -> {
                if (isCurrent(w, generation)) {
                    firstDelta(w, method, readAt);
                    StreamPublisher.relaying(readAt, () -> relay.notification(w, method, params));
                }
            });
        }

        @Override
        public void onServerRequest(Worker w, int generation, JsonNode id, String method, JsonNode params) {
            post(() -> {
                if (isCurrent(w, generation)) {
                    relay.serverRequest(w, id, method, params);
                }
            });
        }

        @Override
        public void onClosed(Worker w, int generation, String reason) {
            post(() -> {
                if (isCurrent(w, generation)) {
                    reconnection.closed(w, reason);
                }
            });
        }

        private boolean isCurrent(Worker w, int generation) {
            return w.generation == generation && s.workers.get(w.target.id()) == w;
        }
    }

    private final UUID sessionId;
    private final SessionScope s;
    private final Reconnection reconnection;
    private final WorkerStarter starter;
    private final Takeover takeover;
    private final Health health;
    private final Relay relay;
    private final Consumer<SessionDriver> onRelinquish;
    private final ExecutorService actor;

    private volatile boolean relinquished;

    SessionDriver(UUID sessionId, Deps deps, Consumer<SessionDriver> onRelinquish) {
        this.sessionId = sessionId;
        this.onRelinquish = onRelinquish;
        WorkerLink link = new WorkerLink(
                deps.ssh(),
                sessionId.toString().substring(0, 8),
                deps.config().codex().clientName(),
                deps.config().codex().stateDirectory().orElse(null),
                new Reports());
        this.s = new SessionScope(sessionId, deps, link);
        this.reconnection = new Reconnection(s, this);
        this.starter = new WorkerStarter(s, this, reconnection);
        this.takeover = new Takeover(s, this, reconnection);
        this.health = new Health(s, this, reconnection);
        this.relay = new Relay(s, this);
        this.actor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "session-" + sessionId.toString().substring(0, 8));
            t.setDaemon(true);
            return t;
        });
        post(takeover::takeOver);
    }

    /** What relays the app-servers' messages for this session. */
    Relay relay() {
        return relay;
    }

    UUID sessionId() {
        return sessionId;
    }

    /** The ids of the workers this driver runs now. */
    List<UUID> workerIds() {
        return s.workers.values().stream().map(w -> w.view.id()).toList();
    }

    void submit(AgentCommand command, UUID eventId) {
        submit(command, eventId, io.opentelemetry.context.Context.root());
    }

    void submit(AgentCommand command, UUID eventId, io.opentelemetry.context.Context trace) {
        post(() -> handle(command, eventId, trace));
    }

    void tick() {
        post(health::checkHealth);
    }

    private void post(Step step) {
        pending.incrementAndGet();
        try {
            actor.execute(() -> {
                try {
                    safely(step);
                } finally {
                    noteIdle();
                    pending.decrementAndGet();
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            pending.decrementAndGet();
            LOG.debugf("session %s: driver has shut down; step dropped", sessionId);
        }
    }

    /** Steps posted and not run yet, and work off the session thread that will post one (an attachment copy). */
    private final java.util.concurrent.atomic.AtomicInteger pending = new java.util.concurrent.atomic.AtomicInteger();

    /** Since when ({@link System#nanoTime}) the session has had no worker, turn or queued message; 0: it has. */
    private volatile long idleSince;

    /** After each step, on the session thread: whether the driver holds anything. */
    private void noteIdle() {
        boolean idle = s.workers.isEmpty() && s.current == null && s.queued.isEmpty() && !relinquished;
        if (!idle) {
            idleSince = 0;
        } else if (idleSince == 0) {
            idleSince = System.nanoTime();
        }
    }

    /**
     * Whether the driver may be retired: no worker, turn or queued message for at least {@code after}, and
     * nothing posted or under way. Called by {@link Drivers} under the map's lock for this session, which
     * is also where commands are posted, so no command can slip in between this answer and the removal.
     */
    boolean retirable(long now, Duration after) {
        long since = idleSince;
        return since != 0 && now - since >= after.toNanos() && pending.get() == 0;
    }

    /**
     * A retired driver (see {@link #retirable}): its thread ends and the unused rest of its block of stream
     * numbers is given back. The next command for the session starts a new driver, which takes it over
     * (fence one higher) as any new owner does.
     */
    void retire() {
        post(() -> s.deps.publisher().release(sessionId));
        actor.shutdown();
    }

    /** Ends (stdio) or leaves running for the next owner (durable) every worker, then the driver; waits for it. */
    void shutdown(String why) {
        post(() -> takeover.handOver(why));
        actor.shutdown();
        try {
            actor.awaitTermination(15, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        s.deps.publisher().release(sessionId);
    }

    /** Another runner owns the session now: let go of everything without touching the app-servers. */
    void relinquish(String why) {
        if (relinquished) {
            return;
        }
        relinquished = true;
        io.devopsconsole.platform.logging.SessionLogs.info(
                LOG, sessionId, "session %s: %s; letting go", sessionId, why);
        for (Worker w : s.workers.values()) {
            w.stopping = true;
            WorkerLink.close(w);
        }
        s.workers.clear();
        s.queued.clear();
        s.current = null;
        s.deps.meters().counter("agent.sessions.fenced").increment();
        actor.shutdown();
        onRelinquish.accept(this);
    }

    // ---- commands ----

    private void handle(AgentCommand command, UUID eventId, io.opentelemetry.context.Context trace) {
        if (s.deps.log().isDone(eventId)) {
            LOG.debugf("session %s: command %s was carried out by an earlier owner", sessionId, eventId);
            return;
        }
        if (command instanceof TurnRequested t) {
            if (s.current != null) {
                s.queued.add(new SessionScope.Queued(t, eventId, trace));
                return;
            }
            startTurn(t, eventId, trace);
            return;
        }
        if (command instanceof io.devopsconsole.events.agent.CopyAttachment a) {
            copyAttachment(a, eventId); // done once the host answered
            return;
        }
        if (command instanceof ApprovalDecided d) {
            relay.decide(d);
        } else if (command instanceof InterruptRequested i) {
            interrupt("interrupted by " + i.requestedBy());
        } else if (command instanceof StopWorker stopWorker) {
            stop("stopped by " + stopWorker.requestedBy()
                    + (stopWorker.reason() == null ? "" : ": " + stopWorker.reason()));
        }
        s.deps.log().markDone(eventId, sessionId);
    }

    /**
     * Puts an attached file into the session's working directory on its host (ADR 0030): the SSH
     * round trip runs off the session thread (the stream goes on meanwhile); the outcome comes back to it
     * as an {@code attachment_copied} record, and only then is the command done.
     */
    private void copyAttachment(io.devopsconsole.events.agent.CopyAttachment a, UUID eventId) {
        WorkerStarter.Placement at;
        try {
            at = starter.placement(a.projectId());
        } catch (Refused e) {
            s.publish((UUID) null, List.of(new TurnMapper.Draft(null, null, AttachmentCopy.failed(a, e.getMessage()))));
            s.deps.log().markDone(eventId, sessionId);
            return;
        }
        pending.incrementAndGet(); // the copy's outcome comes back as a step: the driver is not idle until then
        AttachmentCopy.COPIES.execute(() -> {
            try {
                io.devopsconsole.events.agent.stream.StreamPayload.AttachmentCopied outcome =
                        AttachmentCopy.copy(s.deps.ssh(), at.target(), at.workingDirectory(), a);
                post(() -> {
                    s.publish(at.target().id(), List.of(new TurnMapper.Draft(null, null, outcome)));
                    s.deps.log().markDone(eventId, sessionId);
                });
            } finally {
                pending.decrementAndGet();
            }
        });
    }

    private void startTurn(TurnRequested t, UUID eventId, io.opentelemetry.context.Context trace) {
        // the turn is a span of the operator's trace; its stream records carry it on (ADR 0023)
        if (s.turnSpan.getSpanContext().isValid()) {
            s.turnSpan.end();
        }
        s.turnSpan = io.devopsconsole.platform.tracing.Traces.start(
                "turn", io.opentelemetry.api.trace.SpanKind.CONSUMER, trace);
        s.turnSpan.setAttribute("devops.session_id", sessionId.toString());
        long taken = System.nanoTime();
        Worker w;
        try {
            w = starter.ensureWorker(t.projectId(), t.targetId());
        } catch (Refused e) {
            s.current = new SessionScope.Turn(t, eventId, null);
            s.deps.log().markDone(eventId, sessionId);
            failTurnNotStarted(e.getMessage());
            return;
        }
        s.current = new SessionScope.Turn(t, eventId, w);
        long ready = System.nanoTime();
        s.current.startSentNanos = ready;
        try {
            w.mapper.turnBegins();
            // the operator's text arrives in its stored form (ADR 0014); codex gets exactly what was typed
            String turnId = w.app.startTurn(w.threadId, io.devopsconsole.platform.text.StoredText.decode(t.text()));
            long answered = System.nanoTime();
            if (s.current.turnId == null) {
                s.current.turnId = turnId;
            }
            w.lastActivityNanos = System.nanoTime();
            // the command done, the worker busy and the turn announced: one commit (the turn's first lines wait for it)
            s.deps.store()
                    .turnStarted(
                            w.view,
                            turnId,
                            new TurnStarted(
                                    sessionId,
                                    w.view.id(),
                                    w.target.id(),
                                    w.threadId,
                                    turnId,
                                    t.messageId(),
                                    t.operator()),
                            c -> s.deps.log().markDoneIn(c, eventId, sessionId))
                    .await()
                    .indefinitely();
            turnStartTimes(ready - taken, answered - ready, System.nanoTime() - answered);
        } catch (Exception e) {
            // the client says which call failed and how (refused, not answered in time, connection gone)
            String why = e instanceof IOException ? e.getMessage() : e.toString();
            s.deps.log().markDone(eventId, sessionId);
            failTurnNotStarted("the app-server did not start the turn: " + why);
        }
    }

    /** The current turn's first agent-message delta, read at {@code readAt}: timed from {@code turn/start} sent. */
    private void firstDelta(Worker w, String method, long readAt) {
        SessionScope.Turn t = s.current;
        if (t != null && t.worker == w && t.startSentNanos != 0 && method.equals("item/agentMessage/delta")) {
            RelayHops.turnStartTimer(s.deps.meters(), "first_delta")
                    .record(readAt - t.startSentNanos, TimeUnit.NANOSECONDS);
            t.startSentNanos = 0;
        }
    }

    /** Where a started turn's start went: {@code devops.relay.turn_start} (worker, rpc, commit). */
    private void turnStartTimes(long workerNanos, long rpcNanos, long commitNanos) {
        RelayHops.turnStartTimer(s.deps.meters(), "worker").record(workerNanos, TimeUnit.NANOSECONDS);
        RelayHops.turnStartTimer(s.deps.meters(), "rpc").record(rpcNanos, TimeUnit.NANOSECONDS);
        RelayHops.turnStartTimer(s.deps.meters(), "commit").record(commitNanos, TimeUnit.NANOSECONDS);
    }

    /** A turn that never started: an error record and a failed end, then the next message. */
    private void failTurnNotStarted(String message) {
        String turnId = s.current == null ? null : s.current.turnId;
        List<TurnMapper.Draft> drafts = new ArrayList<>();
        drafts.add(new TurnMapper.Draft(turnId, null, SessionScope.errorPayload(message)));
        drafts.add(new TurnMapper.Draft(
                turnId, null, new StreamPayload.TurnEnded(StreamPayload.TurnOutcome.FAILED, message)));
        Worker w = s.current == null ? null : s.current.worker;
        s.publish(w, drafts);
        if (w != null && turnId != null) {
            s.announce(List.of(new TurnEnded(
                    sessionId, w.view.id(), w.target.id(), turnId, "failed", message, w.mapper.turnTokens())));
        }
        s.current = null;
        next();
    }

    void next() {
        SessionScope.Queued q = s.queued.poll();
        if (q != null) {
            startTurn(q.request(), q.eventId(), q.trace());
        }
    }

    // ---- approvals, interrupts, stop ----

    void interrupt(String why) {
        if (s.current == null
                || s.current.turnId == null
                || s.current.worker == null
                || !s.current.worker.connected()) {
            return;
        }
        s.current.interruptSentNanos = System.nanoTime();
        s.current.worker.app.interruptTurn(s.current.worker.threadId, s.current.turnId);
        LOG.infof("session %s: turn %s %s", sessionId, s.current.turnId, why);
    }

    private void stop(String why) {
        LOG.infof("session %s: stopping its %d worker(s): %s", sessionId, s.workers.size(), why);
        s.queued.clear();
        if (s.current != null && s.current.turnId != null && s.current.worker != null && !s.current.timedOut) {
            endTurnHere(s.current.worker, "interrupted", null);
        }
        s.current = null;
        for (Worker w : new ArrayList<>(s.workers.values())) {
            w.stopping = true;
            WorkerLink.close(w);
            if (w.durable()) {
                s.link.stopServer(w);
            }
            s.endWorker(w, "stopped", why);
        }
        s.workers.clear();
    }

    /** Ends the current turn from our side (records and lifecycle event); the app-server's own end is then ignored. */
    void endTurnHere(Worker w, String status, String message) {
        TurnMapper.Mapped ended = w.mapper.turnEnded(s.current.turnId, status, message);
        s.publish(w, ended.drafts());
        s.announce(List.of(new TurnEnded(
                sessionId, w.view.id(), w.target.id(), s.current.turnId, status, message, w.mapper.turnTokens())));
    }

    /** An error record and a failed end for the current turn (connection lost for good). */
    void failCurrent(Worker w, String message) {
        List<TurnMapper.Draft> drafts = new ArrayList<>();
        drafts.add(new TurnMapper.Draft(s.current.turnId, null, SessionScope.errorPayload(message)));
        drafts.addAll(w.mapper.turnEnded(s.current.turnId, "failed", message).drafts());
        s.publish(w, drafts);
        s.announce(List.of(new TurnEnded(
                sessionId, w.view.id(), w.target.id(), s.current.turnId, "failed", message, w.mapper.turnTokens())));
        s.current = null;
    }

    private interface Step {
        void run() throws Exception;
    }

    /** Runs a step on the session's thread, its log records marked as the session's (ADR 0031). */
    private void safely(Step step) {
        io.devopsconsole.platform.logging.SessionLogs.run(sessionId, () -> runStep(step));
    }

    private void runStep(Step step) {
        if (relinquished) {
            return;
        }
        try {
            step.run();
        } catch (StreamPublisher.Fenced e) {
            relinquish(e.getMessage());
        } catch (Exception e) {
            LOG.errorf(e, "session %s: step failed", sessionId);
        }
    }
}
