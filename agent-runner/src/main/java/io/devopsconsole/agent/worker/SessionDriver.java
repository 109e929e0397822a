package io.devopsconsole.agent.worker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.devopsconsole.agent.AgentConfig;
import io.devopsconsole.agent.codex.JsonRpcConnection;
import io.devopsconsole.agent.codex.LaunchCommand;
import io.devopsconsole.agent.codex.TurnMapper;
import io.devopsconsole.agent.inventory.Inventory;
import io.devopsconsole.agent.ssh.SshConnector;
import io.devopsconsole.events.agent.AgentCommand;
import io.devopsconsole.events.agent.AgentLifecycleEvent;
import io.devopsconsole.events.agent.ApprovalDecided;
import io.devopsconsole.events.agent.InterruptRequested;
import io.devopsconsole.events.agent.StopWorker;
import io.devopsconsole.events.agent.StreamKind;
import io.devopsconsole.events.agent.TurnEnded;
import io.devopsconsole.events.agent.TurnRequested;
import io.devopsconsole.events.agent.TurnStarted;
import io.devopsconsole.events.registry.RuntimeProfileState;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Drives one session: its worker (one {@code codex app-server} on the profile's primary target,
 * over one SSH exec channel), the thread, and one turn at a time (messages that arrive during a
 * turn wait for it to end). Everything that changes this state runs on the session's own single
 * thread, in arrival order: commands from Kafka, messages from the app-server (read on the
 * connection's reader thread and handed over), and the inactivity tick. SSH and JSON-RPC calls
 * block that thread, never an event loop.
 */
final class SessionDriver implements JsonRpcConnection.Listener {

    private static final Logger LOG = Logger.getLogger(SessionDriver.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long RPC_TIMEOUT_SECONDS = 30;

    /** The collaborators a driver uses. */
    record Deps(Inventory inventory, SshConnector ssh, StreamPublisher publisher, WorkerStore store, AgentConfig config) {
    }

    /** Why no worker could be started; said on the stream, never thrown at the operator. */
    static final class Refused extends Exception {
        Refused(String message) {
            super(message);
        }
    }

    /** The running turn. */
    private static final class Turn {
        final TurnRequested request;
        String turnId;
        boolean timedOut;
        boolean interrupted;
        long interruptSentNanos;

        Turn(TurnRequested request) {
            this.request = request;
        }
    }

    private final UUID sessionId;
    private final Deps deps;
    private final ExecutorService actor;
    private final Deque<TurnRequested> queued = new ArrayDeque<>();

    private WorkerStore.WorkerView worker;
    private SshConnector.Channel channel;
    private JsonRpcConnection rpc;
    private TurnMapper mapper;
    private String threadId;
    private Turn current;
    private boolean stopping;
    private volatile long lastActivityNanos = System.nanoTime();
    private long lastTouchNanos;

    SessionDriver(UUID sessionId, Deps deps) {
        this.sessionId = sessionId;
        this.deps = deps;
        this.actor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "session-" + sessionId.toString().substring(0, 8));
            t.setDaemon(true);
            return t;
        });
    }

    UUID sessionId() {
        return sessionId;
    }

    /** The worker this driver runs now, if any. */
    WorkerStore.WorkerView worker() {
        return worker;
    }

    void submit(AgentCommand command) {
        post(() -> handle(command));
    }

    void tick() {
        post(this::checkActivity);
    }

    /** Runs a step on this session's thread (dropped once the driver has shut down). */
    private void post(Step step) {
        try {
            actor.execute(() -> safely(step));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            LOG.debugf("session %s: driver has shut down; step dropped", sessionId);
        }
    }

    /** Ends the worker (if any) and the driver; waits for it. */
    void shutdown(String why) {
        post(() -> stop(why));
        actor.shutdown();
        try {
            actor.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        deps.publisher().release(sessionId);
    }

    private void handle(AgentCommand command) {
        if (command instanceof TurnRequested t) {
            if (current != null) {
                queued.add(t);
                return;
            }
            startTurn(t);
        } else if (command instanceof ApprovalDecided d) {
            decide(d);
        } else if (command instanceof InterruptRequested i) {
            interrupt("interrupted by " + i.requestedBy());
        } else if (command instanceof StopWorker s) {
            stop("stopped by " + s.requestedBy() + (s.reason() == null ? "" : ": " + s.reason()));
        }
    }

    private void startTurn(TurnRequested t) {
        current = new Turn(t);
        try {
            ensureWorker(t.projectId());
            ObjectNode params = JSON.createObjectNode().put("threadId", threadId);
            params.putArray("input").addObject().put("type", "text").put("text", t.text()).putArray("text_elements");
            JsonNode result = rpc.request("turn/start", params).get(RPC_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            String turnId = result.path("turn").path("id").asText(null);
            if (current.turnId == null) {
                current.turnId = turnId;
            }
            lastActivityNanos = System.nanoTime();
            deps.store().state(worker, "busy", null, null, turnId).await().indefinitely();
            announce(List.of(new TurnStarted(sessionId, worker.id(), worker.targetId(), threadId, turnId, t.messageId(),
                    t.operator())));
        } catch (Refused e) {
            failTurn(e.getMessage());
        } catch (Exception e) {
            String why = e instanceof java.util.concurrent.ExecutionException && e.getCause() != null ? e.getCause().getMessage()
                    : e.toString();
            failTurn("the app-server did not start the turn: " + why);
        }
    }

    /** A turn that never started (or cannot continue): an error record and a failed end, then the next message. */
    private void failTurn(String message) {
        String turnId = current == null ? null : current.turnId;
        List<TurnMapper.Draft> drafts = new ArrayList<>();
        drafts.add(new TurnMapper.Draft(StreamKind.ERROR, turnId, null, JSON.createObjectNode().put("message", message)));
        drafts.add(new TurnMapper.Draft(StreamKind.TURN_FAILED, turnId, null, JSON.createObjectNode().put("message", message)));
        publish(drafts);
        if (worker != null && turnId != null) {
            announce(List.of(new TurnEnded(sessionId, worker.id(), worker.targetId(), turnId, "failed", message,
                    mapper == null ? 0 : mapper.totalTokens())));
        }
        current = null;
        next();
    }

    private void next() {
        TurnRequested t = queued.poll();
        if (t != null) {
            startTurn(t);
        }
    }

    private void ensureWorker(UUID projectId) throws Refused, Exception {
        if (rpc != null && !rpc.isClosed()) {
            return;
        }
        Inventory.Profile profile = deps.inventory().profileOf(projectId).await().indefinitely()
                .orElseThrow(() -> new Refused("project " + projectId + " has no runtime profile: bind a target first"));
        RuntimeProfileState.Binding binding = profile.primary()
                .orElseThrow(() -> new Refused("the runtime profile of project " + projectId + " has no primary target"));
        Inventory.Target target = deps.inventory().target(binding.targetId()).await().indefinitely()
                .orElseThrow(() -> new Refused("target " + binding.targetId() + " is not known to the agent-runner yet"));
        String notReady = target.notReadyReason();
        if (notReady != null) {
            throw new Refused(notReady + "; no connection was attempted");
        }
        String command;
        try {
            command = LaunchCommand.build(deps.config().codex().command(), binding.workingDirectory(), profile.codex());
        } catch (IllegalArgumentException e) {
            throw new Refused("the worker launch was refused: " + e.getMessage());
        }
        worker = deps.store().create(UUID.randomUUID(), sessionId, projectId, target.id(), target.name(),
                binding.workingDirectory(), deps.config().instanceId()).await().indefinitely();
        workerState("starting", null);
        try {
            channel = deps.ssh().exec(target, command);
        } catch (IOException e) {
            String message = e.getMessage();
            endWorker("failed", message);
            throw new Refused(message);
        }
        mapper = new TurnMapper(sessionId, target.id());
        stopping = false;
        rpc = new JsonRpcConnection(channel.stdout(), channel.stdin(), this, sessionId.toString().substring(0, 8)).start();
        try {
            ObjectNode init = JSON.createObjectNode();
            init.putObject("clientInfo").put("name", deps.config().codex().clientName()).put("title", "DevOps Console")
                    .put("version", "1");
            init.putObject("capabilities").put("experimentalApi", false);
            rpc.request("initialize", init).get(RPC_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            rpc.notify("initialized", null);
            threadId = openThread(binding.workingDirectory(), profile.codex());
            deps.publisher().rememberThread(sessionId, threadId);
        } catch (Exception e) {
            String why = e instanceof java.util.concurrent.ExecutionException && e.getCause() != null ? e.getCause().getMessage()
                    : e.toString();
            String message = "the app-server on " + target.name() + " did not start: " + why
                    + tail(channel.stderrTail());
            closeConnection();
            endWorker("failed", message);
            throw new Refused(message);
        }
        deps.store().state(worker, "ready", null, threadId, null).await().indefinitely();
        ObjectNode ready = JSON.createObjectNode().put("state", "ready").put("transport", "stdio").put("thread_id", threadId)
                .put("target_name", target.name());
        publish(List.of(new TurnMapper.Draft(StreamKind.WORKER_STATE, null, null, ready)));
    }

    /** Resumes the session's thread when it has one (a new worker continues the conversation), else starts one. */
    private String openThread(String directory, RuntimeProfileState.CodexOptions codex) throws Exception {
        String known = threadId != null ? threadId : deps.publisher().threadOf(sessionId);
        if (known != null) {
            try {
                JsonNode resumed = rpc.request("thread/resume", JSON.createObjectNode().put("threadId", known)
                        .put("excludeTurns", true)).get(RPC_TIMEOUT_SECONDS, TimeUnit.SECONDS);
                return resumed.path("thread").path("id").asText(known);
            } catch (java.util.concurrent.ExecutionException e) {
                LOG.infof("session %s: thread %s could not be resumed (%s); starting a new one", sessionId, known,
                        e.getCause() == null ? e : e.getCause().getMessage());
            }
        }
        ObjectNode params = JSON.createObjectNode().put("cwd", directory);
        if (LaunchCommand.threadStartPolicy(codex) != null) {
            params.put("approvalPolicy", LaunchCommand.threadStartPolicy(codex));
        }
        if (codex.sandboxMode() != null) {
            params.put("sandbox", codex.sandboxMode());
        }
        if (codex.model() != null) {
            params.put("model", codex.model());
        }
        JsonNode started = rpc.request("thread/start", params).get(RPC_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        String id = started.path("thread").path("id").asText(null);
        if (id == null) {
            throw new IOException("thread/start answered without a thread id");
        }
        return id;
    }

    private void decide(ApprovalDecided d) {
        TurnMapper.PendingApproval pending = mapper == null ? null : mapper.pending(d.requestId());
        if (pending == null || rpc == null) {
            LOG.debugf("session %s: decision on %s has nothing waiting for it", sessionId, d.requestId());
            return;
        }
        boolean approved = "approved".equals(d.decision());
        boolean legacy = pending.method().equals("execCommandApproval") || pending.method().equals("applyPatchApproval");
        String answer = legacy ? (approved ? "approved" : "denied") : (approved ? "accept" : "decline");
        mapper.decided(pending.requestKey(), approved ? "approved" : "denied");
        try {
            rpc.respond(pending.serverId(), JSON.createObjectNode().put("decision", answer));
            lastActivityNanos = System.nanoTime();
        } catch (IOException e) {
            LOG.warnf("session %s: answering approval %s failed: %s", sessionId, d.requestId(), e.getMessage());
        }
    }

    private void interrupt(String why) {
        if (current == null || current.turnId == null || rpc == null) {
            return;
        }
        current.interrupted = true;
        current.interruptSentNanos = System.nanoTime();
        rpc.request("turn/interrupt", JSON.createObjectNode().put("threadId", threadId).put("turnId", current.turnId));
        LOG.infof("session %s: turn %s %s", sessionId, current.turnId, why);
    }

    private void stop(String why) {
        queued.clear();
        if (worker == null) {
            return;
        }
        if (current != null && current.turnId != null && !current.timedOut) {
            endTurnHere("interrupted", null);
        }
        current = null;
        stopping = true;
        closeConnection();
        endWorker("stopped", why);
    }

    private void checkActivity() {
        long now = System.nanoTime();
        if (worker != null && now - lastTouchNanos > TimeUnit.SECONDS.toNanos(5) && lastActivityNanos > lastTouchNanos) {
            lastTouchNanos = now;
            deps.store().touch(worker.id()).subscribe().with(v -> { }, f -> LOG.debugf("touch failed: %s", f));
        }
        if (current == null || current.turnId == null || rpc == null) {
            return;
        }
        if (current.interruptSentNanos != 0
                && now - current.interruptSentNanos > deps.config().interruptGrace().toNanos()) {
            // the app-server did not end the turn after an interrupt: give up on this worker
            String message = "the app-server did not end turn " + current.turnId + " within "
                    + deps.config().interruptGrace().toSeconds() + " s of an interrupt; the worker was dropped";
            if (!current.timedOut) {
                endTurnHere("failed", message);
            }
            current = null;
            stopping = true;
            closeConnection();
            endWorker("lost", message);
            next();
            return;
        }
        if (current.timedOut || mapper.hasPendingApprovals()) {
            return; // waiting for a person is not inactivity (session-service expires approvals)
        }
        long idle = now - Math.max(lastActivityNanos, rpc.lastReceivedNanos());
        if (idle > deps.config().inactivityTimeout().toNanos()) {
            String message = "no activity from the app-server for " + deps.config().inactivityTimeout().toSeconds()
                    + " s; the turn was interrupted";
            current.timedOut = true;
            endTurnHere("timed_out", message);
            interrupt("timed out");
        }
    }

    /** Ends the current turn from our side (records and lifecycle event); the app-server's own end is then ignored. */
    private void endTurnHere(String status, String message) {
        TurnMapper.Mapped ended = mapper.turnEnded(current.turnId, status, message);
        publish(ended.drafts());
        announce(List.of(new TurnEnded(sessionId, worker.id(), worker.targetId(), current.turnId, status, message,
                mapper.totalTokens())));
    }

    // ---- from the app-server (reader thread → this session's thread) ----

    @Override
    public void onNotification(String method, JsonNode params) {
        lastActivityNanos = System.nanoTime();
        post(() -> notification(method, params));
    }

    @Override
    public void onServerRequest(JsonNode id, String method, JsonNode params) {
        lastActivityNanos = System.nanoTime();
        post(() -> serverRequest(id, method, params));
    }

    @Override
    public void onClosed(String reason) {
        post(() -> closed(reason));
    }

    private void notification(String method, JsonNode params) {
        if (mapper == null) {
            return;
        }
        if (method.equals("turn/started") && current != null && current.turnId == null) {
            current.turnId = params.path("turn").path("id").asText(null);
        }
        if (method.equals("turn/completed")) {
            String turnId = params.path("turn").path("id").asText(null);
            if (current != null && current.timedOut && (turnId == null || turnId.equals(current.turnId))) {
                current = null; // already reported as timed out
            } else {
                TurnMapper.Mapped mapped = mapper.notification(method, params);
                publish(mapped.drafts());
                if (worker != null && turnId != null) {
                    String status = params.path("turn").path("status").asText("completed");
                    announce(List.of(new TurnEnded(sessionId, worker.id(), worker.targetId(), turnId, status,
                            params.path("turn").path("error").path("message").asText(null), mapper.totalTokens())));
                }
                current = null;
            }
            if (worker != null) {
                deps.store().state(worker, "ready", null, null, null).await().indefinitely();
            }
            next();
            return;
        }
        TurnMapper.Mapped mapped = mapper.notification(method, params);
        publish(mapped.drafts());
        announce(mapped.events());
    }

    private void serverRequest(JsonNode id, String method, JsonNode params) throws IOException {
        if (mapper == null || rpc == null) {
            return;
        }
        List<TurnMapper.Draft> drafts = new ArrayList<>();
        TurnMapper.PendingApproval pending = mapper.approvalRequest(id, method, params, drafts);
        if (pending == null) {
            LOG.infof("session %s: server request %s is not supported; answered with an error", sessionId, method);
            rpc.respondError(id, "not supported by the DevOps Console");
            return;
        }
        publish(drafts);
    }

    private void closed(String reason) {
        if (stopping || worker == null) {
            return;
        }
        String message = "the connection to the worker on " + worker.targetName() + " was lost (" + reason + ")"
                + tail(channel == null ? "" : channel.stderrTail());
        if (current != null && current.turnId != null && !current.timedOut) {
            List<TurnMapper.Draft> drafts = new ArrayList<>();
            drafts.add(new TurnMapper.Draft(StreamKind.ERROR, current.turnId, null, JSON.createObjectNode().put("message", message)));
            drafts.addAll(mapper.turnEnded(current.turnId, "failed", message).drafts());
            publish(drafts);
            announce(List.of(new TurnEnded(sessionId, worker.id(), worker.targetId(), current.turnId, "failed", message,
                    mapper.totalTokens())));
        }
        current = null;
        closeConnection();
        endWorker("lost", message);
        next();
    }

    // ---- helpers ----

    private void closeConnection() {
        if (rpc != null) {
            rpc.close();
        }
        if (channel != null) {
            channel.close();
        }
        rpc = null;
        channel = null;
    }

    private void endWorker(String state, String message) {
        if (worker == null) {
            return;
        }
        deps.store().state(worker, state, message, null, null).await().indefinitely();
        workerState(state, message);
        worker = null;
    }

    private void workerState(String state, String message) {
        ObjectNode payload = JSON.createObjectNode().put("state", state).put("transport", "stdio")
                .put("target_name", worker.targetName()).put("working_directory", worker.workingDirectory());
        if (message != null) {
            payload.put("message", message);
        }
        publish(List.of(new TurnMapper.Draft(StreamKind.WORKER_STATE, null, null, payload)));
    }

    private void publish(List<TurnMapper.Draft> drafts) {
        deps.publisher().publish(sessionId, worker == null ? null : worker.targetId(), drafts);
    }

    private void announce(List<? extends AgentLifecycleEvent> events) {
        if (!events.isEmpty()) {
            deps.store().announce(sessionId, events).await().indefinitely();
        }
    }

    private static String tail(String stderr) {
        if (stderr == null || stderr.isBlank()) {
            return "";
        }
        String last = stderr.strip();
        int cut = last.lastIndexOf('\n');
        return "; last app-server output: "
                + io.devopsconsole.platform.redaction.SecretScanner.redactText(cut >= 0 ? last.substring(cut + 1) : last);
    }

    private interface Step {
        void run() throws Exception;
    }

    private void safely(Step step) {
        try {
            step.run();
        } catch (Exception e) {
            LOG.errorf(e, "session %s: step failed", sessionId);
        }
    }
}
