package io.devopsconsole.agent.worker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.devopsconsole.agent.AgentConfig;
import io.devopsconsole.agent.codex.AppServerClient;
import io.devopsconsole.agent.codex.JsonRpcConnection;
import io.devopsconsole.agent.codex.LaunchCommand;
import io.devopsconsole.agent.codex.TurnMapper;
import io.devopsconsole.agent.codex.WebSocketPipe;
import io.devopsconsole.agent.inventory.Inventory;
import io.devopsconsole.agent.ssh.SshConnector;
import io.devopsconsole.events.agent.AgentCommand;
import io.devopsconsole.events.agent.AgentLifecycleEvent;
import io.devopsconsole.events.agent.ApprovalDecided;
import io.devopsconsole.events.agent.InterruptRequested;
import io.devopsconsole.events.agent.StopWorker;
import io.devopsconsole.events.agent.TurnEnded;
import io.devopsconsole.events.agent.TurnRequested;
import io.devopsconsole.events.agent.TurnStarted;
import io.devopsconsole.events.agent.stream.StreamPayload;
import io.devopsconsole.events.registry.RuntimeProfileState;
import io.devopsconsole.platform.ssh.PinnedSsh;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long RPC_TIMEOUT_SECONDS = 30;
    private static final long HEARTBEAT_NANOS = TimeUnit.SECONDS.toNanos(5);

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

    /** The running turn. */
    private static final class Turn {
        final TurnRequested request;
        final UUID eventId;
        final Worker worker;
        String turnId;
        boolean timedOut;
        long interruptSentNanos;

        Turn(TurnRequested request, UUID eventId, Worker worker) {
            this.request = request;
            this.eventId = eventId;
            this.worker = worker;
        }
    }

    /** A command waiting for the current turn to end. */
    private record Queued(TurnRequested request, UUID eventId, io.opentelemetry.context.Context trace) {}

    /** One app-server on one target, and this runner's connection to it (if any). */
    private final class Worker {
        WorkerStore.WorkerView view;
        final Inventory.Target target;
        final TurnMapper mapper;
        PinnedSsh.Exec channel;
        JsonRpcConnection rpc;
        AppServerClient app;
        String threadId;
        int generation;
        boolean stopping;
        long detachedSinceNanos;
        long nextAttemptNanos;
        int attempts;
        volatile long lastActivityNanos = System.nanoTime();
        long lastBeatNanos;
        boolean activeSinceBeat;
        final Timing.PingClock pings = new Timing.PingClock();
        long lastDetachedNoteNanos;
        /** Taken over: when the previous owner was last known to relay (epoch ms); null once caught up. */
        Long unseenSinceEpochMs;

        Worker(WorkerStore.WorkerView view, Inventory.Target target) {
            this.view = view;
            this.target = target;
            this.mapper = new TurnMapper(sessionId, target.id());
        }

        boolean connected() {
            return rpc != null && !rpc.isClosed();
        }

        boolean durable() {
            return "durable".equals(view.transport());
        }
    }

    /** Hands one connection's messages to the session thread (ignored once that connection is replaced). */
    private final class Link implements JsonRpcConnection.Listener {
        private final Worker worker;
        private final int generation;

        Link(Worker worker) {
            this.worker = worker;
            this.generation = ++worker.generation;
        }

        private boolean current() {
            return worker.generation == generation && workers.get(worker.target.id()) == worker;
        }

        @Override
        public void onNotification(String method, JsonNode params) {
            worker.lastActivityNanos = System.nanoTime();
            post(() -> {
                if (current()) {
                    notification(worker, method, params);
                }
            });
        }

        @Override
        public void onServerRequest(JsonNode id, String method, JsonNode params) {
            worker.lastActivityNanos = System.nanoTime();
            post(() -> {
                if (current()) {
                    serverRequest(worker, id, method, params);
                }
            });
        }

        @Override
        public void onClosed(String reason) {
            post(() -> {
                if (current()) {
                    closed(worker, reason);
                }
            });
        }
    }

    private final UUID sessionId;
    private final Deps deps;
    private final Consumer<SessionDriver> onRelinquish;
    private final ExecutorService actor;
    private final Deque<Queued> queued = new ArrayDeque<>();
    /** The running turn's span (invalid while tracing is off or no turn runs). */
    private io.opentelemetry.api.trace.Span turnSpan = io.opentelemetry.api.trace.Span.getInvalid();

    private final Map<UUID, Worker> workers = new LinkedHashMap<>();
    private long fence;
    private Turn current;
    private volatile boolean relinquished;

    SessionDriver(UUID sessionId, Deps deps, Consumer<SessionDriver> onRelinquish) {
        this.sessionId = sessionId;
        this.deps = deps;
        this.onRelinquish = onRelinquish;
        this.actor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "session-" + sessionId.toString().substring(0, 8));
            t.setDaemon(true);
            return t;
        });
        post(this::takeOver);
    }

    UUID sessionId() {
        return sessionId;
    }

    /** The ids of the workers this driver runs now. */
    List<UUID> workerIds() {
        return workers.values().stream().map(w -> w.view.id()).toList();
    }

    void submit(AgentCommand command, UUID eventId) {
        submit(command, eventId, io.opentelemetry.context.Context.root());
    }

    void submit(AgentCommand command, UUID eventId, io.opentelemetry.context.Context trace) {
        post(() -> handle(command, eventId, trace));
    }

    void tick() {
        post(this::checkHealth);
    }

    private void post(Step step) {
        try {
            actor.execute(() -> safely(step));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            LOG.debugf("session %s: driver has shut down; step dropped", sessionId);
        }
    }

    /** Ends (stdio) or leaves running for the next owner (durable) every worker, then the driver; waits for it. */
    void shutdown(String why) {
        post(() -> handOver(why));
        actor.shutdown();
        try {
            actor.awaitTermination(15, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        deps.publisher().release(sessionId);
    }

    // ---- ownership ----

    private void takeOver() {
        fence = deps.publisher().acquire(sessionId, deps.config().instanceId());
        List<WorkerStore.WorkerView> live = deps.store().live(sessionId).await().indefinitely();
        for (WorkerStore.WorkerView row : live) {
            Optional<WorkerStore.WorkerView> adopted = deps.store()
                    .adopt(row.id(), fence, deps.config().instanceId())
                    .await()
                    .indefinitely();
            if (adopted.isEmpty()) {
                continue;
            }
            WorkerStore.WorkerView view = adopted.get();
            Optional<Inventory.Target> target =
                    deps.inventory().target(view.targetId()).await().indefinitely();
            if (target.isEmpty() || !view.durable()) {
                // a stdio worker ended with its runner's connection; its turn with it
                String message = !view.durable()
                        ? "the runner that drove this stdio worker is gone; the worker ended with its" + " connection"
                        : "target " + view.targetName() + " is no longer known";
                Worker gone = new Worker(view, target.orElse(unknownTarget(view)));
                workers.put(view.targetId(), gone);
                if (view.currentTurnId() != null) {
                    current = new Turn(null, null, gone);
                    current.turnId = view.currentTurnId();
                    failCurrent(gone, message);
                }
                endWorker(gone, "lost", message);
                continue;
            }
            Worker w = new Worker(view, target.get());
            // items that ended after the previous owner's last heartbeat may have gone unstreamed (1 s of margin)
            w.unseenSinceEpochMs = row.heartbeatAt() == null
                    ? 0L
                    : row.heartbeatAt().toInstant().toEpochMilli() - 1_000;
            w.threadId = view.threadId();
            w.mapper.thread(view.threadId(), view.totalTokens());
            workers.put(view.targetId(), w);
            if (view.currentTurnId() != null && current == null) {
                current = new Turn(null, null, w);
                current.turnId = view.currentTurnId();
            }
            // the first record under the new fence, acknowledged before anything else is read from the worker:
            // from here on the previous owner's records are dropped
            deps.publisher()
                    .publishAndWait(
                            sessionId,
                            w.target.id(),
                            List.of(new TurnMapper.Draft(
                                    null,
                                    null,
                                    workerPayload(
                                            w,
                                            "reattaching",
                                            "runner " + deps.config().instanceId() + " took the session over"))));
            w.detachedSinceNanos = System.nanoTime();
            reattach(w);
        }
    }

    private static Inventory.Target unknownTarget(WorkerStore.WorkerView view) {
        return new Inventory.Target(
                view.targetId(),
                view.targetName(),
                "unknown",
                22,
                "unknown",
                "lab",
                "control_plane_key",
                null,
                null,
                null,
                "unknown",
                true,
                true);
    }

    /** Another runner owns the session now: let go of everything without touching the app-servers. */
    private void relinquish(String why) {
        if (relinquished) {
            return;
        }
        relinquished = true;
        LOG.infof("session %s: %s; letting go", sessionId, why);
        for (Worker w : workers.values()) {
            w.stopping = true;
            closeConnection(w);
        }
        workers.clear();
        queued.clear();
        current = null;
        deps.meters().counter("agent.sessions.fenced").increment();
        actor.shutdown();
        onRelinquish.accept(this);
    }

    private void handOver(String why) {
        queued.clear();
        for (Worker w : new ArrayList<>(workers.values())) {
            w.stopping = true;
            closeConnection(w);
            if (w.durable()) {
                deps.store()
                        .state(
                                w.view,
                                "detached",
                                why + "; the app-server keeps running for the next owner",
                                null,
                                current != null && current.worker == w ? current.turnId : null)
                        .await()
                        .indefinitely();
            } else {
                if (current != null && current.worker == w && current.turnId != null) {
                    failCurrent(w, why);
                }
                endWorker(w, "stopped", why);
            }
        }
        workers.clear();
        current = null;
    }

    // ---- commands ----

    private void handle(AgentCommand command, UUID eventId, io.opentelemetry.context.Context trace) {
        if (deps.log().isDone(eventId)) {
            LOG.debugf("session %s: command %s was carried out by an earlier owner", sessionId, eventId);
            return;
        }
        if (command instanceof TurnRequested t) {
            if (current != null) {
                queued.add(new Queued(t, eventId, trace));
                return;
            }
            startTurn(t, eventId, trace);
            return;
        }
        if (command instanceof ApprovalDecided d) {
            decide(d);
        } else if (command instanceof InterruptRequested i) {
            interrupt("interrupted by " + i.requestedBy());
        } else if (command instanceof StopWorker s) {
            stop("stopped by " + s.requestedBy() + (s.reason() == null ? "" : ": " + s.reason()));
        }
        deps.log().markDone(eventId, sessionId);
    }

    private void startTurn(TurnRequested t, UUID eventId, io.opentelemetry.context.Context trace) {
        // the turn is a span of the operator's trace; its stream records carry it on (ADR 0023)
        if (turnSpan.getSpanContext().isValid()) {
            turnSpan.end();
        }
        turnSpan = io.devopsconsole.platform.tracing.Traces.start(
                "turn", io.opentelemetry.api.trace.SpanKind.CONSUMER, trace);
        turnSpan.setAttribute("devops.session_id", sessionId.toString());
        Worker w;
        try {
            w = ensureWorker(t.projectId(), t.targetId());
        } catch (Refused e) {
            current = new Turn(t, eventId, null);
            deps.log().markDone(eventId, sessionId);
            failTurnNotStarted(e.getMessage());
            return;
        }
        current = new Turn(t, eventId, w);
        try {
            w.mapper.turnBegins();
            // the operator's text arrives in its stored form (ADR 0014); codex gets exactly what was typed
            String turnId = w.app.startTurn(w.threadId, io.devopsconsole.platform.text.StoredText.decode(t.text()));
            deps.log().markDone(eventId, sessionId);
            if (current.turnId == null) {
                current.turnId = turnId;
            }
            w.lastActivityNanos = System.nanoTime();
            deps.store().state(w.view, "busy", null, null, turnId).await().indefinitely();
            announce(List.of(new TurnStarted(
                    sessionId, w.view.id(), w.target.id(), w.threadId, turnId, t.messageId(), t.operator())));
        } catch (Exception e) {
            String why = e instanceof IOException && e.getCause() != null
                    ? e.getCause().getMessage()
                    : e.toString();
            deps.log().markDone(eventId, sessionId);
            failTurnNotStarted("the app-server did not start the turn: " + why);
        }
    }

    /** A turn that never started: an error record and a failed end, then the next message. */
    private void failTurnNotStarted(String message) {
        String turnId = current == null ? null : current.turnId;
        List<TurnMapper.Draft> drafts = new ArrayList<>();
        drafts.add(new TurnMapper.Draft(turnId, null, errorPayload(message)));
        drafts.add(new TurnMapper.Draft(
                turnId, null, new StreamPayload.TurnEnded(StreamPayload.TurnOutcome.FAILED, message)));
        Worker w = current == null ? null : current.worker;
        publish(w, drafts);
        if (w != null && turnId != null) {
            announce(List.of(new TurnEnded(
                    sessionId, w.view.id(), w.target.id(), turnId, "failed", message, w.mapper.turnTokens())));
        }
        current = null;
        next();
    }

    private void next() {
        Queued q = queued.poll();
        if (q != null) {
            startTurn(q.request(), q.eventId(), q.trace());
        }
    }

    private Worker ensureWorker(UUID projectId, UUID targetId) throws Refused {
        Inventory.Profile profile = deps.inventory()
                .profileOf(projectId)
                .await()
                .indefinitely()
                .orElseThrow(
                        () -> new Refused("project " + projectId + " has no runtime profile: bind a target first"));
        RuntimeProfileState.Binding binding;
        if (targetId == null) {
            binding = profile.primary()
                    .orElseThrow(() ->
                            new Refused("the runtime profile of project " + projectId + " has no primary target"));
        } else {
            binding = profile.bindings().stream()
                    .filter(b -> b.targetId().equals(targetId))
                    .findFirst()
                    .orElseThrow(() -> new Refused(
                            "target " + targetId + " is not bound to the runtime profile of project " + projectId));
        }
        Worker existing = workers.get(binding.targetId());
        if (existing != null && existing.connected()) {
            return existing;
        }
        if (existing != null && existing.durable() && existing.view.live()) {
            reattach(existing);
            if (existing.connected()) {
                return existing;
            }
            throw new Refused(
                    "the worker on " + existing.target.name() + " could not be reattached: " + existing.view.message());
        }
        Inventory.Target target = deps.inventory()
                .target(binding.targetId())
                .await()
                .indefinitely()
                .orElseThrow(
                        () -> new Refused("target " + binding.targetId() + " is not known to the agent-runner yet"));
        String notReady = target.notReadyReason();
        if (notReady != null) {
            throw new Refused(notReady + "; no connection was attempted");
        }
        return startWorker(projectId, profile, binding, target);
    }

    private Worker startWorker(
            UUID projectId, Inventory.Profile profile, RuntimeProfileState.Binding binding, Inventory.Target target)
            throws Refused {
        String mode = deps.config().transport();
        String stdioCommand;
        LaunchCommand.Durable durable = null;
        try {
            stdioCommand =
                    LaunchCommand.build(deps.config().codex().command(), binding.workingDirectory(), profile.codex());
            if (!mode.equals("stdio")) {
                durable = LaunchCommand.durable(
                        deps.config().codex().command(),
                        binding.workingDirectory(),
                        profile.codex(),
                        deps.config().codex().stateDirectory().orElse(null));
            }
        } catch (IllegalArgumentException e) {
            throw new Refused("the worker launch was refused: " + e.getMessage());
        }
        String knownThread = deps.store()
                .lastThread(sessionId, target.id())
                .await()
                .indefinitely()
                .orElse(null);
        WorkerStore.WorkerView view = deps.store()
                .create(
                        UUID.randomUUID(),
                        sessionId,
                        projectId,
                        target.id(),
                        target.name(),
                        binding.workingDirectory(),
                        deps.config().instanceId(),
                        durable != null ? "durable" : "stdio",
                        durable != null ? durable.serverKey() : null,
                        fence)
                .await()
                .indefinitely();
        Worker w = new Worker(view, target);
        workers.put(target.id(), w);
        workerState(w, "starting", null);
        try {
            if (durable != null) {
                try {
                    connectDurable(w, durable.command());
                } catch (IOException e) {
                    if (!mode.equals("auto") || e instanceof PinnedSsh.HostKeyRefused) {
                        throw e;
                    }
                    LOG.infof(
                            "session %s: no durable app-server on %s (%s); using stdio",
                            sessionId, target.name(), e.getMessage());
                    w.view = w.view.with("stdio", null);
                    closeConnection(w);
                    connectStdio(w, stdioCommand);
                }
            } else {
                connectStdio(w, stdioCommand);
            }
        } catch (IOException e) {
            endWorker(w, "failed", e.getMessage());
            workers.remove(target.id());
            throw new Refused(e.getMessage());
        }
        try {
            handshake(w);
            w.threadId = openThread(w, knownThread, binding.workingDirectory(), profile.codex());
            w.mapper.thread(w.threadId, 0);
            deps.publisher().rememberThread(sessionId, w.threadId);
        } catch (Exception e) {
            String message = "the app-server on " + target.name() + " did not start: " + cause(e) + tail(w);
            w.stopping = true;
            closeConnection(w);
            if (w.durable()) {
                stopServer(w);
            }
            endWorker(w, "failed", message);
            workers.remove(target.id());
            throw new Refused(message);
        }
        deps.store().state(w.view, "ready", null, w.threadId, null).await().indefinitely();
        publish(w, List.of(new TurnMapper.Draft(null, null, workerPayload(w, "ready", null, w.threadId))));
        return w;
    }

    private void connectStdio(Worker w, String command) throws IOException {
        w.channel = deps.ssh().exec(w.target, command);
        w.rpc = new JsonRpcConnection(w.channel.stdout(), w.channel.stdin(), new Link(w), name(w)).start();
        w.app = new AppServerClient(w.rpc, RPC_TIMEOUT_SECONDS);
    }

    private void connectDurable(Worker w, String command) throws IOException {
        w.channel = deps.ssh().exec(w.target, command);
        WebSocketPipe ws;
        // an app-server that accepts the connection but never answers (hung, stopped) must not hold this
        // session's thread: the channel is closed after the upgrade timeout, which ends the read below
        PinnedSsh.Exec opening = w.channel;
        java.util.concurrent.ScheduledFuture<?> watchdog =
                WATCHDOG.schedule(opening::close, UPGRADE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        try {
            ws = WebSocketPipe.open(w.channel.stdout(), w.channel.stdin());
            if (!watchdog.cancel(false)) {
                throw new IOException("no WebSocket upgrade within " + UPGRADE_TIMEOUT_SECONDS + " s");
            }
        } catch (IOException e) {
            watchdog.cancel(false);
            String stderr = w.channel.stderrTail();
            closeConnection(w);
            throw new IOException(
                    "the durable app-server did not answer"
                            + (stderr == null || stderr.isBlank()
                                    ? ""
                                    : ": "
                                            + io.devopsconsole.platform.redaction.SecretScanner.redactText(
                                                    lastLine(stderr))),
                    e);
        }
        w.rpc = JsonRpcConnection.overWebSocket(ws, new Link(w), name(w)).start();
        w.app = new AppServerClient(w.rpc, RPC_TIMEOUT_SECONDS);
    }

    private String name(Worker w) {
        return sessionId.toString().substring(0, 8) + "@" + w.target.name();
    }

    private void handshake(Worker w) throws Exception {
        w.app.initialize(deps.config().codex().clientName());
    }

    /** Resumes the thread the session had on this target (a new worker continues the conversation), else starts one. */
    private String openThread(Worker w, String known, String directory, RuntimeProfileState.CodexOptions codex)
            throws Exception {
        if (known != null) {
            try {
                return w.app.resumeThread(known);
            } catch (AppServerClient.Refused e) {
                LOG.infof(
                        "session %s: thread %s could not be resumed (%s); starting a new one",
                        sessionId, known, e.getMessage());
            }
        }
        return w.app.startThread(directory, LaunchCommand.threadStartPolicy(codex), codex);
    }

    // ---- reattach ----

    /**
     * Connects again to a durable worker's app-server and catches up: resume the thread, send what
     * the current turn did while nobody was attached, and end the turn here if it ended there. A
     * failure leaves the worker detached (the tick tries again until the reattach window is over).
     */
    private void reattach(Worker w) {
        closeConnection(w);
        w.attempts++;
        long started = System.nanoTime();
        try {
            String attach = LaunchCommand.attach(
                    deps.config().codex().command(),
                    deps.config().codex().stateDirectory().orElse(null),
                    w.view.serverKey());
            boolean restarted = false;
            try {
                connectDurable(w, attach);
            } catch (PinnedSsh.HostKeyRefused e) {
                throw e;
            } catch (IOException gone) {
                // the app-server itself is gone (host rebooted, killed): start one and resume the thread
                Inventory.Profile profile = deps.inventory()
                        .profileOf(w.view.projectId())
                        .await()
                        .indefinitely()
                        .orElseThrow(() -> new IOException("the project has no runtime profile any more"));
                LaunchCommand.Durable launch = LaunchCommand.durable(
                        deps.config().codex().command(),
                        w.view.workingDirectory(),
                        profile.codex(),
                        deps.config().codex().stateDirectory().orElse(null));
                w.view = w.view.with("durable", launch.serverKey());
                connectDurable(w, launch.command());
                restarted = true;
            }
            handshake(w);
            w.mapper.connectionReset();
            if (w.threadId == null) {
                w.threadId = deps.store()
                        .lastThread(sessionId, w.target.id())
                        .await()
                        .indefinitely()
                        .orElse(null);
            }
            if (w.threadId == null) {
                throw new IOException("the worker has no thread to resume");
            }
            w.app.resumeThread(w.threadId);
            w.attempts = 0;
            w.detachedSinceNanos = 0;
            w.lastActivityNanos = System.nanoTime();
            recover(w, restarted);
            w.unseenSinceEpochMs = null; // caught up: from here on this runner streams what it relays
            String turn = current != null && current.worker == w ? current.turnId : null;
            deps.store()
                    .state(w.view, turn != null ? "busy" : "ready", null, w.threadId, turn)
                    .await()
                    .indefinitely();
            publish(
                    w,
                    List.of(new TurnMapper.Draft(
                            null,
                            null,
                            workerPayload(
                                    w,
                                    "reattached",
                                    restarted ? "the app-server had stopped; a new one resumed the thread" : null,
                                    w.threadId))));
            deps.meters().timer("agent.worker.reattach").record(Duration.ofNanos(System.nanoTime() - started));
            LOG.infof(
                    "session %s: reattached to the worker on %s in %d ms",
                    sessionId, w.target.name(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        } catch (StreamPublisher.Fenced e) {
            throw e;
        } catch (Exception e) {
            String why = cause(e);
            closeConnection(w);
            long delay = Math.min(
                    TimeUnit.SECONDS.toNanos(10), TimeUnit.MILLISECONDS.toNanos(500L << Math.min(5, w.attempts)));
            w.nextAttemptNanos = System.nanoTime() + delay;
            w.view = w.view.withMessage(why);
            LOG.infof(
                    "session %s: reattach to %s failed (attempt %d): %s", sessionId, w.target.name(), w.attempts, why);
            stillDetached(w, why);
            if (e instanceof PinnedSsh.HostKeyRefused) {
                giveUp(w, why);
            }
        }
    }

    /**
     * While a worker stays detached (a dark host, a stalled path), viewers hear how long it has been and
     * why the last attempt failed, every {@link #DETACHED_NOTE_EVERY_NANOS}, until it reattaches or the
     * reattach window ends.
     */
    private void stillDetached(Worker w, String why) {
        long now = System.nanoTime();
        if (w.detachedSinceNanos == 0
                || now - w.lastDetachedNoteNanos < DETACHED_NOTE_EVERY_NANOS
                || now - w.detachedSinceNanos < DETACHED_NOTE_EVERY_NANOS) {
            return;
        }
        w.lastDetachedNoteNanos = now;
        long seconds = TimeUnit.NANOSECONDS.toSeconds(now - w.detachedSinceNanos);
        long left = Math.max(0, deps.config().reattachWindow().toSeconds() - seconds);
        StreamPayload.WorkerState detached = workerPayload(
                w,
                "detached",
                "still no connection to the worker on "
                        + w.target.name() + " after " + seconds + " s (attempt " + w.attempts + ": " + why
                        + "); trying for " + left
                        + " s more");
        publish(
                w,
                List.of(new TurnMapper.Draft(
                        null,
                        null,
                        new StreamPayload.WorkerState(
                                detached.state(),
                                detached.transport(),
                                detached.targetName(),
                                detached.workingDirectory(),
                                detached.workerId(),
                                null,
                                detached.message(),
                                seconds * 1000,
                                null,
                                null,
                                null))));
    }

    /** Sends what the current turn of this worker did while nobody was attached, and ends it here if it ended there. */
    private void recover(Worker w, boolean restarted) throws Exception {
        if (current == null || current.worker != w || current.turnId == null) {
            return;
        }
        String turnId = current.turnId;
        AppServerClient.TurnReadBack back = w.app.readTurn(w.threadId, turnId);
        JsonNode turn = back.turn();
        int before = 0;
        for (JsonNode item : back.items()) {
            TurnMapper.Mapped mapped = w.mapper.recovered(item, turnId, w.unseenSinceEpochMs);
            before += mapped.drafts().size();
            publish(w, mapped.drafts());
            announce(mapped.events());
        }
        String status = turn == null
                ? (restarted ? "interrupted" : "inProgress")
                : turn.path("status").asText("inProgress");
        LOG.infof(
                "session %s: turn %s is %s on %s; %d record(s) read back from the thread",
                sessionId, turnId, status, w.target.name(), before);
        if (!status.equals("inProgress")) {
            ObjectNode params = JSON.createObjectNode();
            ObjectNode t = params.putObject("turn").put("id", turnId).put("status", status);
            if (turn != null && turn.path("error").isObject()) {
                t.set("error", turn.path("error"));
            }
            if (restarted && turn == null) {
                t.putObject("error").put("message", "the app-server stopped while the turn ran; the turn was lost");
                t.put("status", "failed");
            }
            turnCompleted(w, params);
        }
    }

    private void giveUp(Worker w, String why) {
        String message = "the worker on " + w.target.name() + " could not be reattached within "
                + deps.config().reattachWindow().toSeconds() + " s: " + why;
        if (current != null && current.worker == w && current.turnId != null) {
            failCurrent(w, message);
        }
        w.stopping = true;
        closeConnection(w);
        endWorker(w, "lost", message);
        workers.remove(w.target.id());
        if (current == null) {
            next();
        }
    }

    // ---- approvals, interrupts, stop ----

    private void decide(ApprovalDecided d) {
        String decision = "approved".equals(d.decision()) ? "approved" : "denied";
        deps.log().decide(sessionId, d.requestId(), decision, d.decidedBy());
        for (Worker w : workers.values()) {
            TurnMapper.PendingApproval pending = w.mapper.pending(d.requestId());
            if (pending != null && w.connected()) {
                answer(w, pending, decision);
                return;
            }
        }
        LOG.debugf(
                "session %s: decision on %s recorded; nothing waits for it on a connection now",
                sessionId, d.requestId());
    }

    private void answer(Worker w, TurnMapper.PendingApproval pending, String decision) {
        w.mapper.decided(pending.requestKey(), decision);
        try {
            w.app.answerApproval(pending.serverId(), pending.method(), decision.equals("approved"));
            w.lastActivityNanos = System.nanoTime();
            deps.log().answered(sessionId, pending.requestKey());
        } catch (IOException e) {
            LOG.warnf(
                    "session %s: answering approval %s failed (answered again after a reattach): %s",
                    sessionId, pending.requestKey(), e.getMessage());
        }
    }

    private void interrupt(String why) {
        if (current == null || current.turnId == null || current.worker == null || !current.worker.connected()) {
            return;
        }
        current.interruptSentNanos = System.nanoTime();
        current.worker.app.interruptTurn(current.worker.threadId, current.turnId);
        LOG.infof("session %s: turn %s %s", sessionId, current.turnId, why);
    }

    private void stop(String why) {
        queued.clear();
        if (current != null && current.turnId != null && current.worker != null && !current.timedOut) {
            endTurnHere(current.worker, "interrupted", null);
        }
        current = null;
        for (Worker w : new ArrayList<>(workers.values())) {
            w.stopping = true;
            closeConnection(w);
            if (w.durable()) {
                stopServer(w);
            }
            endWorker(w, "stopped", why);
        }
        workers.clear();
    }

    /** Stops a durable worker's app-server on its host (the fixed stop command; failures are logged). */
    private void stopServer(Worker w) {
        if (w.view.serverKey() == null) {
            return;
        }
        try {
            deps.ssh()
                    .run(
                            w.target,
                            LaunchCommand.stopServer(
                                    deps.config().codex().stateDirectory().orElse(null), w.view.serverKey()),
                            Duration.ofSeconds(20));
        } catch (IOException | IllegalArgumentException e) {
            LOG.warnf(
                    "session %s: the app-server %s on %s was not stopped: %s",
                    sessionId, w.view.serverKey(), w.target.name(), e.getMessage());
        }
    }

    // ---- health ----

    private void checkHealth() {
        long now = System.nanoTime();
        for (Worker w : new ArrayList<>(workers.values())) {
            if (w.connected() && w.durable() && !w.stopping && silent(w, now)) {
                continue;
            }
            if (w.connected() && now - w.lastBeatNanos > HEARTBEAT_NANOS) {
                w.lastBeatNanos = now;
                boolean active = w.lastActivityNanos > now - HEARTBEAT_NANOS;
                if (!deps.store()
                        .heartbeat(w.view, active, w.mapper.totalTokens())
                        .await()
                        .indefinitely()) {
                    if (!deps.publisher().stillOwns(sessionId)) {
                        relinquish("another runner took the session over");
                        return;
                    }
                }
            }
            if (!w.connected() && w.durable() && w.detachedSinceNanos != 0 && !w.stopping) {
                if (now - w.detachedSinceNanos > deps.config().reattachWindow().toNanos()) {
                    giveUp(w, w.view.message() == null ? "no connection" : w.view.message());
                } else if (now >= w.nextAttemptNanos) {
                    reattach(w);
                }
            }
            if (w.connected() && current != null && current.worker == w) {
                for (TurnMapper.Quiet q : w.mapper.newlyStuck(
                        now, deps.config().stuckCommandAfter().toNanos())) {
                    publish(
                            w,
                            List.of(new TurnMapper.Draft(
                                    current.turnId,
                                    q.itemId(),
                                    new StreamPayload.WorkerState(
                                            "command_stuck",
                                            w.view.transport(),
                                            w.target.name(),
                                            w.view.workingDirectory(),
                                            w.view.id(),
                                            null,
                                            "the command has produced no output for " + (q.quietMillis() / 1000)
                                                    + " s; it still runs" + " (interrupt the turn to stop waiting)",
                                            null,
                                            q.itemId(),
                                            q.command(),
                                            q.quietMillis()))));
                    deps.meters().counter("agent.commands.stuck").increment();
                }
            }
        }
        checkTurn(now);
    }

    /**
     * Whether a durable worker's app-server has stopped answering: it is pinged after
     * {@code ping-after} without a word, and a ping unanswered for {@code silent-after} means it died
     * or the path to it stalled ({@code app-server proxy} keeps its end open after the server behind it
     * dies, so the connection itself never says so). The host is then asked which (a short fixed
     * command listing its app-servers, on a connection of its own), the cause is reported on the
     * stream, and the runner reattaches (starting a new app-server when the old one is gone).
     */
    private boolean silent(Worker w, long now) {
        long heard = w.rpc.lastHeardNanos();
        if (!w.pings.silent(
                now,
                heard,
                deps.config().pingAfter().toNanos(),
                deps.config().silentAfter().toNanos(),
                w.rpc::ping)) {
            return false;
        }
        HostProbe.Diagnosis d =
                HostProbe.whySilent(w.target.name(), TimeUnit.NANOSECONDS.toMillis(now - heard), probe(w));
        deps.meters().counter("agent.workers.silent", "cause", d.cause()).increment();
        LOG.warnf("session %s: the worker on %s went silent: %s", sessionId, w.target.name(), d.message());
        lost(w, d.message());
        return true;
    }

    private static final long UPGRADE_TIMEOUT_SECONDS = 10;
    private static final long DETACHED_NOTE_EVERY_NANOS = TimeUnit.SECONDS.toNanos(15);
    private static final java.util.concurrent.ScheduledExecutorService WATCHDOG =
            Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "worker-upgrade-watchdog");
                t.setDaemon(true);
                return t;
            });

    /** Asks the host whether the worker's app-server runs (fixed listing command, a connection of its own). */
    private HostProbe.Probe probe(Worker w) {
        return HostProbe.probe(
                w.view.serverKey(),
                () -> deps.ssh()
                        .run(
                                w.target,
                                LaunchCommand.listServers(
                                        deps.config().codex().stateDirectory().orElse(null)),
                                Duration.ofSeconds(2)));
    }

    private void checkTurn(long now) {
        if (current == null || current.turnId == null || current.worker == null || !current.worker.connected()) {
            return;
        }
        Worker w = current.worker;
        Timing.TurnVerdict verdict = Timing.turn(
                now,
                current.interruptSentNanos,
                deps.config().interruptGrace().toNanos(),
                current.timedOut,
                w.mapper.hasPendingApprovals(),
                Math.max(w.lastActivityNanos, w.rpc.lastReceivedNanos()),
                deps.config().inactivityTimeout().toNanos());
        if (verdict == Timing.TurnVerdict.INTERRUPT_UNANSWERED) {
            String message = "the app-server did not end turn " + current.turnId + " within "
                    + deps.config().interruptGrace().toSeconds() + " s of an interrupt; the worker was dropped";
            if (!current.timedOut) {
                endTurnHere(w, "failed", message);
            }
            current = null;
            w.stopping = true;
            closeConnection(w);
            if (w.durable()) {
                stopServer(w);
            }
            endWorker(w, "lost", message);
            workers.remove(w.target.id());
            next();
            return;
        }
        if (verdict == Timing.TurnVerdict.INACTIVE) {
            String message = "no activity from the app-server for "
                    + deps.config().inactivityTimeout().toSeconds() + " s; the turn was interrupted";
            current.timedOut = true;
            endTurnHere(w, "timed_out", message);
            interrupt("timed out");
        }
    }

    /** Ends the current turn from our side (records and lifecycle event); the app-server's own end is then ignored. */
    private void endTurnHere(Worker w, String status, String message) {
        TurnMapper.Mapped ended = w.mapper.turnEnded(current.turnId, status, message);
        publish(w, ended.drafts());
        announce(List.of(new TurnEnded(
                sessionId, w.view.id(), w.target.id(), current.turnId, status, message, w.mapper.turnTokens())));
    }

    /** An error record and a failed end for the current turn (connection lost for good). */
    private void failCurrent(Worker w, String message) {
        List<TurnMapper.Draft> drafts = new ArrayList<>();
        drafts.add(new TurnMapper.Draft(current.turnId, null, errorPayload(message)));
        drafts.addAll(w.mapper.turnEnded(current.turnId, "failed", message).drafts());
        publish(w, drafts);
        announce(List.of(new TurnEnded(
                sessionId, w.view.id(), w.target.id(), current.turnId, "failed", message, w.mapper.turnTokens())));
        current = null;
    }

    // ---- from the app-server ----

    private void notification(Worker w, String method, JsonNode params) {
        if (method.equals("turn/started") && current != null && current.worker == w && current.turnId == null) {
            current.turnId = params.path("turn").path("id").asText(null);
        }
        if (method.equals("turn/completed")) {
            turnCompleted(w, params);
            return;
        }
        long tokensBefore = w.mapper.totalTokens();
        TurnMapper.Mapped mapped = w.mapper.notification(method, params);
        if (w.mapper.totalTokens() > tokensBefore) {
            deps.meters()
                    .counter("agent.tokens", "target", w.target.name())
                    .increment(w.mapper.totalTokens() - tokensBefore);
        }
        publish(w, mapped.drafts());
        announce(mapped.events());
    }

    private void turnCompleted(Worker w, JsonNode params) {
        String turnId = params.path("turn").path("id").asText(null);
        boolean ours = current != null && current.worker == w && (turnId == null || turnId.equals(current.turnId));
        if (ours && current.timedOut) {
            current = null; // already reported as timed out
        } else {
            TurnMapper.Mapped mapped = w.mapper.notification("turn/completed", params);
            publish(w, mapped.drafts());
            if (turnId != null) {
                String status = params.path("turn").path("status").asText("completed");
                announce(List.of(new TurnEnded(
                        sessionId,
                        w.view.id(),
                        w.target.id(),
                        turnId,
                        status,
                        params.path("turn").path("error").path("message").asText(null),
                        w.mapper.turnTokens())));
            }
            if (ours) {
                current = null;
            }
        }
        deps.store().state(w.view, "ready", null, null, null).await().indefinitely();
        if (current == null) {
            next();
        }
    }

    private void serverRequest(Worker w, JsonNode id, String method, JsonNode params) throws IOException {
        List<TurnMapper.Draft> drafts = new ArrayList<>();
        TurnMapper.PendingApproval pending = w.mapper.approvalRequest(id, method, params, drafts);
        if (pending == null) {
            LOG.infof("session %s: server request %s is not supported; answered with an error", sessionId, method);
            w.app.refuse(id);
            return;
        }
        Optional<CommandLog.Decision> recorded = deps.log().decision(sessionId, pending.requestKey());
        if (recorded.isPresent()) {
            // asked again after a reattach, and the operator has decided already: answer from the record
            LOG.infof(
                    "session %s: approval %s asked again; answered from the recorded decision (%s)",
                    sessionId, pending.requestKey(), recorded.get().decision());
            publish(w, drafts); // same record id as the first time: stored once
            answer(w, pending, recorded.get().decision());
            return;
        }
        publish(w, drafts);
    }

    private void closed(Worker w, String reason) {
        if (w.stopping) {
            return;
        }
        String lost = "the connection to the worker on " + w.target.name() + " was lost (" + reason + ")" + tail(w);
        if (w.durable()) {
            // the connection's end alone does not say why: ask the host, so the message names the cause
            lost = HostProbe.whyEnded(w.target.name(), reason, tail(w), lost, probe(w));
        }
        lost(w, lost);
    }

    /** The worker's connection is gone (said in {@code message}): a durable worker reattaches, a stdio one ends. */
    private void lost(Worker w, String message) {
        closeConnection(w);
        if (w.durable()) {
            // the app-server keeps running on the host: say so, and connect again
            w.detachedSinceNanos = System.nanoTime();
            w.attempts = 0;
            String turn = current != null && current.worker == w ? current.turnId : null;
            deps.store().state(w.view, "detached", message, null, turn).await().indefinitely();
            publish(
                    w,
                    List.of(new TurnMapper.Draft(null, null, workerPayload(w, "detached", message + "; reattaching"))));
            reattach(w);
            return;
        }
        if (current != null && current.worker == w && current.turnId != null && !current.timedOut) {
            failCurrent(w, message);
        } else if (current != null && current.worker == w) {
            current = null;
        }
        endWorker(w, "lost", message);
        workers.remove(w.target.id());
        if (current == null) {
            next();
        }
    }

    // ---- helpers ----

    private void closeConnection(Worker w) {
        if (w.rpc != null) {
            w.rpc.close();
        }
        if (w.channel != null) {
            w.channel.close();
        }
        w.rpc = null;
        w.channel = null;
    }

    private void endWorker(Worker w, String state, String message) {
        deps.store().state(w.view, state, message, null, null).await().indefinitely();
        workerState(w, state, message);
    }

    private void workerState(Worker w, String state, String message) {
        publish(w, List.of(new TurnMapper.Draft(null, null, workerPayload(w, state, message))));
    }

    private static StreamPayload.WorkerState workerPayload(Worker w, String state, String message) {
        return workerPayload(w, state, message, null);
    }

    private static StreamPayload.WorkerState workerPayload(Worker w, String state, String message, String threadId) {
        return new StreamPayload.WorkerState(
                state,
                w.view.transport(),
                w.target.name(),
                w.view.workingDirectory(),
                w.view.id(),
                threadId,
                message,
                null,
                null,
                null,
                null);
    }

    private static StreamPayload.Error errorPayload(String message) {
        return new StreamPayload.Error(message, null, null, null, null, null);
    }

    private void publish(Worker w, List<TurnMapper.Draft> drafts) {
        boolean traced = turnSpan.getSpanContext().isValid();
        deps.publisher()
                .publish(
                        sessionId,
                        w == null ? null : w.target.id(),
                        drafts,
                        traced ? io.opentelemetry.context.Context.root().with(turnSpan) : null);
        if (traced && drafts.stream().anyMatch(d -> d.kind().endsTurn())) {
            turnSpan.end();
            turnSpan = io.opentelemetry.api.trace.Span.getInvalid();
        }
    }

    private void announce(List<? extends AgentLifecycleEvent> events) {
        if (!events.isEmpty()) {
            deps.store().announce(sessionId, events).await().indefinitely();
        }
    }

    private static String cause(Exception e) {
        Throwable t = e instanceof java.util.concurrent.ExecutionException && e.getCause() != null ? e.getCause() : e;
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }

    private static String tail(Worker w) {
        String stderr = w.channel == null ? null : w.channel.stderrTail();
        if (stderr == null || stderr.isBlank()) {
            return "";
        }
        return "; last app-server output: "
                + io.devopsconsole.platform.redaction.SecretScanner.redactText(lastLine(stderr));
    }

    private static String lastLine(String text) {
        String last = text.strip();
        int cut = last.lastIndexOf('\n');
        return cut >= 0 ? last.substring(cut + 1) : last;
    }

    private interface Step {
        void run() throws Exception;
    }

    private void safely(Step step) {
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
