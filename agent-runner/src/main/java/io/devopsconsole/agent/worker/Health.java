package io.devopsconsole.agent.worker;

import io.devopsconsole.agent.codex.TurnMapper;
import io.devopsconsole.events.agent.stream.StreamPayload;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * The once-a-second checks of a session's workers and turn: heartbeats (which also find out that
 * another runner took the session), reattach attempts and give-ups of detached workers, stuck
 * commands, silent app-servers ({@link Timing.PingClock}, diagnosed by {@link HostProbe}), turns that
 * ran out of time or ignored an interrupt ({@link Timing#turn}).
 */
final class Health {

    private static final Logger LOG = Logger.getLogger(Health.class);
    private final SessionScope s;
    private final SessionDriver driver;
    private final Reconnection reconnection;
    private static final long HEARTBEAT_NANOS = TimeUnit.SECONDS.toNanos(5);

    Health(SessionScope s, SessionDriver driver, Reconnection reconnection) {
        this.s = s;
        this.driver = driver;
        this.reconnection = reconnection;
    }

    void checkHealth() {
        long now = System.nanoTime();
        for (Worker w : new ArrayList<>(s.workers.values())) {
            if (w.connected() && w.durable() && !w.stopping && silent(w, now)) {
                continue;
            }
            if (w.connected() && now - w.lastBeatNanos > HEARTBEAT_NANOS) {
                w.lastBeatNanos = now;
                boolean active = w.lastActivityNanos > now - HEARTBEAT_NANOS;
                if (!s.deps.store()
                        .heartbeat(w.view, active, w.mapper.totalTokens())
                        .await()
                        .indefinitely()) {
                    if (!s.deps.publisher().stillOwns(s.sessionId)) {
                        driver.relinquish("another runner took the session over");
                        return;
                    }
                }
            }
            if (!w.connected() && w.durable() && w.detachedSinceNanos != 0 && !w.stopping) {
                if (now - w.detachedSinceNanos
                        > s.deps.config().reattachWindow().toNanos()) {
                    reconnection.giveUp(w, w.view.message() == null ? "no connection" : w.view.message());
                } else if (now >= w.nextAttemptNanos) {
                    reconnection.reattach(w);
                }
            }
            if (w.connected() && s.current != null && s.current.worker == w) {
                for (TurnMapper.Quiet q : w.mapper.newlyStuck(
                        now, s.deps.config().stuckCommandAfter().toNanos())) {
                    s.publish(
                            w,
                            List.of(new TurnMapper.Draft(
                                    s.current.turnId,
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
                    s.deps.meters().counter("agent.commands.stuck").increment();
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
    boolean silent(Worker w, long now) {
        long heard = w.rpc.lastHeardNanos();
        if (!w.pings.silent(
                now,
                heard,
                s.deps.config().pingAfter().toNanos(),
                s.deps.config().silentAfter().toNanos(),
                w.rpc::ping)) {
            return false;
        }
        HostProbe.Diagnosis d =
                HostProbe.whySilent(w.target.name(), TimeUnit.NANOSECONDS.toMillis(now - heard), s.probe(w));
        s.deps.meters().counter("agent.workers.silent", "cause", d.cause()).increment();
        LOG.warnf("session %s: the worker on %s went silent: %s", s.sessionId, w.target.name(), d.message());
        reconnection.lost(w, d.message());
        return true;
    }

    void checkTurn(long now) {
        if (s.current == null
                || s.current.turnId == null
                || s.current.worker == null
                || !s.current.worker.connected()) {
            return;
        }
        Worker w = s.current.worker;
        Timing.TurnVerdict verdict = Timing.turn(
                now,
                s.current.interruptSentNanos,
                s.deps.config().interruptGrace().toNanos(),
                s.current.timedOut,
                w.mapper.hasPendingApprovals(),
                Math.max(w.lastActivityNanos, w.rpc.lastReceivedNanos()),
                s.deps.config().inactivityTimeout().toNanos());
        if (verdict == Timing.TurnVerdict.INTERRUPT_UNANSWERED) {
            String message = "the app-server did not end turn " + s.current.turnId + " within "
                    + s.deps.config().interruptGrace().toSeconds() + " s of an interrupt; the worker was dropped";
            if (!s.current.timedOut) {
                driver.endTurnHere(w, "failed", message);
            }
            s.current = null;
            w.stopping = true;
            WorkerLink.close(w);
            if (w.durable()) {
                s.link.stopServer(w);
            }
            s.endWorker(w, "lost", message);
            s.workers.remove(w.target.id());
            driver.next();
            return;
        }
        if (verdict == Timing.TurnVerdict.INACTIVE) {
            String message = "no activity from the app-server for "
                    + s.deps.config().inactivityTimeout().toSeconds() + " s; the turn was interrupted";
            s.current.timedOut = true;
            driver.endTurnHere(w, "timed_out", message);
            driver.interrupt("timed out");
        }
    }
}
