package io.devopsconsole.agent.worker;

import io.devopsconsole.agent.codex.TurnMapper;
import io.devopsconsole.agent.inventory.Inventory;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Taking a session over and handing it on: on its first step the driver takes the session's fence
 * (one higher than any earlier owner's) and adopts the session's live workers (a durable one is
 * reattached, a stdio one ended with its old runner); on shutdown durable workers are left running
 * for the next owner and stdio ones end.
 */
final class Takeover {

    private static final Logger LOG = Logger.getLogger(Takeover.class);
    private final SessionScope s;
    private final SessionDriver driver;
    private final Reconnection reconnection;

    Takeover(SessionScope s, SessionDriver driver, Reconnection reconnection) {
        this.s = s;
        this.driver = driver;
        this.reconnection = reconnection;
    }

    void takeOver() {
        s.fence = s.deps.publisher().acquire(s.sessionId, s.deps.config().instanceId());
        List<WorkerStore.WorkerView> live =
                s.deps.store().live(s.sessionId).await().indefinitely();
        for (WorkerStore.WorkerView row : live) {
            Optional<WorkerStore.WorkerView> adopted = s.deps.store()
                    .adopt(row.id(), s.fence, s.deps.config().instanceId())
                    .await()
                    .indefinitely();
            if (adopted.isEmpty()) {
                continue;
            }
            WorkerStore.WorkerView view = adopted.get();
            Optional<Inventory.Target> target =
                    s.deps.inventory().target(view.targetId()).await().indefinitely();
            if (target.isEmpty() || !view.durable()) {
                // a stdio worker ended with its runner's connection; its turn with it
                String message = !view.durable()
                        ? "the runner that drove this stdio worker is gone; the worker ended with its" + " connection"
                        : "target " + view.targetName() + " is no longer known";
                Worker gone = new Worker(s.sessionId, view, target.orElse(unknownTarget(view)));
                s.workers.put(view.targetId(), gone);
                if (view.currentTurnId() != null) {
                    s.current = new SessionScope.Turn(null, null, gone);
                    s.current.turnId = view.currentTurnId();
                    driver.failCurrent(gone, message);
                }
                s.endWorker(gone, "lost", message);
                continue;
            }
            Worker w = new Worker(s.sessionId, view, target.get());
            // items that ended after the previous owner's last heartbeat may have gone unstreamed (1 s of margin)
            w.unseenSinceEpochMs = row.heartbeatAt() == null
                    ? 0L
                    : row.heartbeatAt().toInstant().toEpochMilli() - 1_000;
            w.threadId = view.threadId();
            w.mapper.thread(view.threadId(), view.totalTokens());
            s.workers.put(view.targetId(), w);
            if (view.currentTurnId() != null && s.current == null) {
                s.current = new SessionScope.Turn(null, null, w);
                s.current.turnId = view.currentTurnId();
            }
            // the first record under the new fence, acknowledged before anything else is read from the worker:
            // from here on the previous owner's records are dropped
            s.deps.publisher()
                    .publishAndWait(
                            s.sessionId,
                            w.target.id(),
                            List.of(new TurnMapper.Draft(
                                    null,
                                    null,
                                    SessionScope.workerPayload(
                                            w,
                                            "reattaching",
                                            "runner " + s.deps.config().instanceId() + " took the session over"))));
            w.detachedSinceNanos = System.nanoTime();
            reconnection.reattach(w);
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

    void handOver(String why) {
        s.queued.clear();
        for (Worker w : new ArrayList<>(s.workers.values())) {
            w.stopping = true;
            WorkerLink.close(w);
            if (w.durable()) {
                s.deps.store()
                        .state(
                                w.view,
                                "detached",
                                why + "; the app-server keeps running for the next owner",
                                null,
                                s.current != null && s.current.worker == w ? s.current.turnId : null)
                        .await()
                        .indefinitely();
            } else {
                if (s.current != null && s.current.worker == w && s.current.turnId != null) {
                    driver.failCurrent(w, why);
                }
                s.endWorker(w, "stopped", why);
            }
        }
        s.workers.clear();
        s.current = null;
    }
}
