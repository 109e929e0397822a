package io.devopsconsole.agent.worker;

import io.devopsconsole.agent.codex.LaunchCommand;
import io.devopsconsole.agent.codex.TurnMapper;
import io.devopsconsole.events.agent.AgentLifecycleEvent;
import io.devopsconsole.events.agent.TurnRequested;
import io.devopsconsole.events.agent.stream.StreamPayload;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * What one session's driver and its parts share, on the session's own thread: the session's workers,
 * the running turn and the messages waiting for it, the fence this runner holds, the link to the
 * app-servers — and the two ways out, the stream (records) and the lifecycle events.
 */
final class SessionScope {

    final UUID sessionId;
    final SessionDriver.Deps deps;
    final WorkerLink link;
    final Map<UUID, Worker> workers = new LinkedHashMap<>();
    final Deque<Queued> queued = new ArrayDeque<>();
    long fence;
    Turn current;
    /** The running turn's span (invalid while tracing is off or no turn runs). */
    io.opentelemetry.api.trace.Span turnSpan = io.opentelemetry.api.trace.Span.getInvalid();

    SessionScope(UUID sessionId, SessionDriver.Deps deps, WorkerLink link) {
        this.sessionId = sessionId;
        this.deps = deps;
        this.link = link;
    }

    /** The running turn. */
    static final class Turn {
        final TurnRequested request;
        final UUID eventId;
        final Worker worker;
        String turnId;
        boolean timedOut;
        long interruptSentNanos;
        /** When {@code turn/start} was sent; 0 once the turn's first agent-message delta was timed from it. */
        long startSentNanos;

        Turn(TurnRequested request, UUID eventId, Worker worker) {
            this.request = request;
            this.eventId = eventId;
            this.worker = worker;
        }
    }

    /** A command waiting for the current turn to end. */
    record Queued(TurnRequested request, UUID eventId, io.opentelemetry.context.Context trace) {}

    void endWorker(Worker w, String state, String message) {
        deps.store().state(w.view, state, message, null, null).await().indefinitely();
        workerState(w, state, message);
    }

    void workerState(Worker w, String state, String message) {
        publish(w, List.of(new TurnMapper.Draft(null, null, workerPayload(w, state, message))));
    }

    static StreamPayload.WorkerState workerPayload(Worker w, String state, String message) {
        return workerPayload(w, state, message, null);
    }

    static StreamPayload.WorkerState workerPayload(Worker w, String state, String message, String threadId) {
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

    static StreamPayload.Error errorPayload(String message) {
        return new StreamPayload.Error(message, null, null, null, null, null);
    }

    void publish(Worker w, List<TurnMapper.Draft> drafts) {
        publish(w == null ? null : w.target.id(), drafts);
    }

    void publish(java.util.UUID targetId, List<TurnMapper.Draft> drafts) {
        boolean traced = turnSpan.getSpanContext().isValid();
        deps.publisher()
                .publish(
                        sessionId,
                        targetId,
                        drafts,
                        traced ? io.opentelemetry.context.Context.root().with(turnSpan) : null);
        if (traced && drafts.stream().anyMatch(d -> d.kind().endsTurn())) {
            turnSpan.end();
            turnSpan = io.opentelemetry.api.trace.Span.getInvalid();
        }
    }

    void announce(List<? extends AgentLifecycleEvent> events) {
        if (!events.isEmpty()) {
            deps.store().announce(sessionId, events).await().indefinitely();
        }
    }

    static String cause(Exception e) {
        Throwable t = e instanceof java.util.concurrent.ExecutionException && e.getCause() != null ? e.getCause() : e;
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }

    /** Asks the host whether the worker's app-server runs (fixed listing command, a connection of its own). */
    HostProbe.Probe probe(Worker w) {
        return HostProbe.probe(
                w.view.serverKey(),
                () -> deps.ssh()
                        .run(
                                w.target,
                                LaunchCommand.listServers(
                                        deps.config().codex().stateDirectory().orElse(null)),
                                Duration.ofSeconds(2)));
    }
}
