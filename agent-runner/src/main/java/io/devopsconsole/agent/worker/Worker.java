package io.devopsconsole.agent.worker;

import io.devopsconsole.agent.codex.AppServerClient;
import io.devopsconsole.agent.codex.TurnMapper;
import io.devopsconsole.agent.inventory.Inventory;
import io.devopsconsole.platform.codex.JsonRpcConnection;
import io.devopsconsole.platform.ssh.PinnedSsh;
import java.util.UUID;

/**
 * One app-server on one target as a session's driver holds it: its row, its mapper, and this
 * runner's link to it (if any), with the clocks the driver's checks read. Touched only on the
 * session's own thread (the reader threads only note {@link #lastActivityNanos}).
 */
final class Worker {
    WorkerStore.WorkerView view;
    final Inventory.Target target;
    final TurnMapper mapper;
    PinnedSsh.Exec channel;
    JsonRpcConnection rpc;
    AppServerClient app;
    String threadId;
    /** Which connection is the current one: messages of an earlier connection are ignored. */
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

    Worker(UUID sessionId, WorkerStore.WorkerView view, Inventory.Target target) {
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
