package io.devopsconsole.agent.worker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.devopsconsole.agent.codex.AppServerClient;
import io.devopsconsole.agent.codex.LaunchCommand;
import io.devopsconsole.agent.codex.TurnMapper;
import io.devopsconsole.agent.inventory.Inventory;
import io.devopsconsole.events.agent.stream.StreamPayload;
import io.devopsconsole.platform.ssh.PinnedSsh;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * A worker whose connection dropped: a durable one is reattached (new SSH channel, {@code app-server
 * proxy} to the same app-server, or a new app-server resuming the thread when the old one is gone),
 * and what its current turn did meanwhile is read back and sent; while it stays detached viewers
 * hear why, until the reattach window ends and the worker is given up. A stdio worker ends with
 * its connection.
 */
final class Reconnection {

    private static final Logger LOG = Logger.getLogger(Reconnection.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private final SessionScope s;
    private final SessionDriver driver;
    private static final long DETACHED_NOTE_EVERY_NANOS = TimeUnit.SECONDS.toNanos(15);

    Reconnection(SessionScope s, SessionDriver driver) {
        this.s = s;
        this.driver = driver;
    }

    /**
     * Connects again to a durable worker's app-server and catches up: resume the thread, send what
     * the current turn did while nobody was attached, and end the turn here if it ended there. A
     * failure leaves the worker detached (the tick tries again until the reattach window is over).
     */
    void reattach(Worker w) {
        WorkerLink.close(w);
        w.attempts++;
        long started = System.nanoTime();
        try {
            String attach = LaunchCommand.attach(
                    s.deps.config().codex().command(),
                    s.deps.config().codex().stateDirectory().orElse(null),
                    w.view.serverKey());
            boolean restarted = false;
            try {
                s.link.connectDurable(w, attach);
            } catch (PinnedSsh.HostKeyRefused e) {
                throw e;
            } catch (IOException gone) {
                // the app-server itself is gone (host rebooted, killed): start one and resume the thread
                Inventory.Profile profile = s.deps.inventory()
                        .profileOf(w.view.projectId())
                        .await()
                        .indefinitely()
                        .orElseThrow(() -> new IOException("the project has no runtime profile any more"));
                LaunchCommand.Durable launch = LaunchCommand.durable(
                        s.deps.config().codex().command(),
                        w.view.workingDirectory(),
                        profile.codex(),
                        s.deps.config().codex().stateDirectory().orElse(null));
                w.view = w.view.with("durable", launch.serverKey());
                s.link.connectDurable(w, launch.command());
                restarted = true;
            }
            s.link.hello(w);
            w.mapper.connectionReset();
            if (w.threadId == null) {
                w.threadId = s.deps.store()
                        .lastThread(s.sessionId, w.target.id())
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
            String turn = s.current != null && s.current.worker == w ? s.current.turnId : null;
            s.deps.store()
                    .state(w.view, turn != null ? "busy" : "ready", null, w.threadId, turn)
                    .await()
                    .indefinitely();
            s.publish(
                    w,
                    List.of(new TurnMapper.Draft(
                            null,
                            null,
                            SessionScope.workerPayload(
                                    w,
                                    "reattached",
                                    restarted ? "the app-server had stopped; a new one resumed the thread" : null,
                                    w.threadId))));
            s.deps.meters().timer("agent.worker.reattach").record(Duration.ofNanos(System.nanoTime() - started));
            LOG.infof(
                    "session %s: reattached to the worker on %s in %d ms",
                    s.sessionId, w.target.name(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        } catch (StreamPublisher.Fenced e) {
            throw e;
        } catch (Exception e) {
            String why = SessionScope.cause(e);
            WorkerLink.close(w);
            long delay = Math.min(
                    TimeUnit.SECONDS.toNanos(10), TimeUnit.MILLISECONDS.toNanos(500L << Math.min(5, w.attempts)));
            w.nextAttemptNanos = System.nanoTime() + delay;
            w.view = w.view.withMessage(why);
            LOG.infof(
                    "session %s: reattach to %s failed (attempt %d): %s",
                    s.sessionId, w.target.name(), w.attempts, why);
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
    void stillDetached(Worker w, String why) {
        long now = System.nanoTime();
        if (w.detachedSinceNanos == 0
                || now - w.lastDetachedNoteNanos < DETACHED_NOTE_EVERY_NANOS
                || now - w.detachedSinceNanos < DETACHED_NOTE_EVERY_NANOS) {
            return;
        }
        w.lastDetachedNoteNanos = now;
        long seconds = TimeUnit.NANOSECONDS.toSeconds(now - w.detachedSinceNanos);
        long left = Math.max(0, s.deps.config().reattachWindow().toSeconds() - seconds);
        StreamPayload.WorkerState detached = SessionScope.workerPayload(
                w,
                "detached",
                "still no connection to the worker on "
                        + w.target.name() + " after " + seconds + " s (attempt " + w.attempts + ": " + why
                        + "); trying for " + left
                        + " s more");
        s.publish(
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
    void recover(Worker w, boolean restarted) throws Exception {
        if (s.current == null || s.current.worker != w || s.current.turnId == null) {
            return;
        }
        String turnId = s.current.turnId;
        AppServerClient.TurnReadBack back = w.app.readTurn(w.threadId, turnId);
        JsonNode turn = back.turn();
        int before = 0;
        for (JsonNode item : back.items()) {
            TurnMapper.Mapped mapped = w.mapper.recovered(item, turnId, w.unseenSinceEpochMs);
            before += mapped.drafts().size();
            s.publish(w, mapped.drafts());
            s.announce(mapped.events());
        }
        String status = turn == null
                ? (restarted ? "interrupted" : "inProgress")
                : turn.path("status").asText("inProgress");
        LOG.infof(
                "session %s: turn %s is %s on %s; %d record(s) read back from the thread",
                s.sessionId, turnId, status, w.target.name(), before);
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
            driver.relay().turnCompleted(w, params);
        }
    }

    void giveUp(Worker w, String why) {
        String message = "the worker on " + w.target.name() + " could not be reattached within "
                + s.deps.config().reattachWindow().toSeconds() + " s: " + why;
        if (s.current != null && s.current.worker == w && s.current.turnId != null) {
            driver.failCurrent(w, message);
        }
        w.stopping = true;
        WorkerLink.close(w);
        s.endWorker(w, "lost", message);
        s.workers.remove(w.target.id());
        if (s.current == null) {
            driver.next();
        }
    }

    void closed(Worker w, String reason) {
        if (w.stopping) {
            return;
        }
        String lost = "the connection to the worker on " + w.target.name() + " was lost (" + reason + ")"
                + WorkerLink.stderrTail(w);
        if (w.durable()) {
            // the connection's end alone does not say why: ask the host, so the message names the cause
            lost = HostProbe.whyEnded(w.target.name(), reason, WorkerLink.stderrTail(w), lost, s.probe(w));
        }
        lost(w, lost);
    }

    /** The worker's connection is gone (said in {@code message}): a durable worker reattaches, a stdio one ends. */
    void lost(Worker w, String message) {
        WorkerLink.close(w);
        if (w.durable()) {
            // the app-server keeps running on the host: say so, and connect again
            w.detachedSinceNanos = System.nanoTime();
            w.attempts = 0;
            String turn = s.current != null && s.current.worker == w ? s.current.turnId : null;
            s.deps.store()
                    .state(w.view, "detached", message, null, turn)
                    .await()
                    .indefinitely();
            s.publish(
                    w,
                    List.of(new TurnMapper.Draft(
                            null, null, SessionScope.workerPayload(w, "detached", message + "; reattaching"))));
            reattach(w);
            return;
        }
        if (s.current != null && s.current.worker == w && s.current.turnId != null && !s.current.timedOut) {
            driver.failCurrent(w, message);
        } else if (s.current != null && s.current.worker == w) {
            s.current = null;
        }
        s.endWorker(w, "lost", message);
        s.workers.remove(w.target.id());
        if (s.current == null) {
            driver.next();
        }
    }
}
