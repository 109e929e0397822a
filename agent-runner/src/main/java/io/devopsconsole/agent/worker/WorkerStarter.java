package io.devopsconsole.agent.worker;

import io.devopsconsole.agent.codex.LaunchCommand;
import io.devopsconsole.agent.codex.TurnMapper;
import io.devopsconsole.agent.inventory.Inventory;
import io.devopsconsole.events.registry.RuntimeProfileState;
import io.devopsconsole.platform.ssh.PinnedSsh;
import java.io.IOException;
import java.util.List;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Finds or starts the worker for a turn: the project's runtime profile names the target (the
 * primary one unless the operator picked another bound target); a live durable worker there is
 * reattached; otherwise a new app-server is launched (durable, or stdio as configured or as the
 * fallback), greeted, and its thread resumed or started. Refusals are said on the stream.
 */
final class WorkerStarter {

    private static final Logger LOG = Logger.getLogger(WorkerStarter.class);
    private final SessionScope s;
    private final SessionDriver driver;
    private final Reconnection reconnection;

    WorkerStarter(SessionScope s, SessionDriver driver, Reconnection reconnection) {
        this.s = s;
        this.driver = driver;
        this.reconnection = reconnection;
    }

    /** Where the session's work happens: the live worker's target and directory, else the profile's primary binding. */
    record Placement(Inventory.Target target, String workingDirectory) {}

    Placement placement(UUID projectId) throws SessionDriver.Refused {
        Inventory.Profile profile = profile(projectId);
        RuntimeProfileState.Binding binding = binding(profile, projectId, null);
        Worker live = s.workers.get(binding.targetId());
        if (live != null && live.view.workingDirectory() != null) {
            return new Placement(live.target, live.view.workingDirectory());
        }
        return new Placement(readyTarget(binding), binding.workingDirectory());
    }

    Worker ensureWorker(UUID projectId, UUID targetId) throws SessionDriver.Refused {
        Inventory.Profile profile = profile(projectId);
        RuntimeProfileState.Binding binding = binding(profile, projectId, targetId);
        Worker existing = s.workers.get(binding.targetId());
        if (existing != null && existing.connected()) {
            return existing;
        }
        if (existing != null && existing.durable() && existing.view.live()) {
            reconnection.reattach(existing);
            if (existing.connected()) {
                return existing;
            }
            throw new SessionDriver.Refused(
                    "the worker on " + existing.target.name() + " could not be reattached: " + existing.view.message());
        }
        return startWorker(projectId, profile, binding, readyTarget(binding));
    }

    private Inventory.Profile profile(UUID projectId) throws SessionDriver.Refused {
        Inventory inventory = s.deps.inventory();
        return Inventory.caughtUp(
                        () -> inventory.profileOf(projectId), s.deps.config().inventoryCatchUp())
                .await()
                .indefinitely()
                .orElseThrow(() -> new SessionDriver.Refused(
                        "project " + projectId + " has no runtime profile: bind a target first"));
    }

    /** The profile's binding of {@code targetId}, or its primary one when null. */
    private static RuntimeProfileState.Binding binding(Inventory.Profile profile, UUID projectId, UUID targetId)
            throws SessionDriver.Refused {
        if (targetId == null) {
            return profile.primary()
                    .orElseThrow(() -> new SessionDriver.Refused(
                            "the runtime profile of project " + projectId + " has no primary target"));
        }
        return profile.bindings().stream()
                .filter(b -> b.targetId().equals(targetId))
                .findFirst()
                .orElseThrow(() -> new SessionDriver.Refused(
                        "target " + targetId + " is not bound to the runtime profile of project " + projectId));
    }

    /** The bound target, known to the runner and ready for a connection. */
    private Inventory.Target readyTarget(RuntimeProfileState.Binding binding) throws SessionDriver.Refused {
        Inventory inventory = s.deps.inventory();
        Inventory.Target target = Inventory.caughtUp(
                        () -> inventory.target(binding.targetId()),
                        s.deps.config().inventoryCatchUp())
                .await()
                .indefinitely()
                .orElseThrow(() -> new SessionDriver.Refused(
                        "target " + binding.targetId() + " is not known to the agent-runner yet"));
        String notReady = target.notReadyReason();
        if (notReady != null) {
            throw new SessionDriver.Refused(notReady + "; no connection was attempted");
        }
        return target;
    }

    Worker startWorker(
            UUID projectId, Inventory.Profile profile, RuntimeProfileState.Binding binding, Inventory.Target target)
            throws SessionDriver.Refused {
        String mode = s.deps.config().transport();
        String stdioCommand;
        LaunchCommand.Durable durable = null;
        try {
            stdioCommand =
                    LaunchCommand.build(s.deps.config().codex().command(), binding.workingDirectory(), profile.codex());
            if (!mode.equals("stdio")) {
                durable = LaunchCommand.durable(
                        s.deps.config().codex().command(),
                        binding.workingDirectory(),
                        profile.codex(),
                        s.deps.config().codex().stateDirectory().orElse(null));
            }
        } catch (IllegalArgumentException e) {
            throw new SessionDriver.Refused("the worker launch was refused: " + e.getMessage());
        }
        String knownThread = s.deps.store()
                .lastThread(s.sessionId, target.id())
                .await()
                .indefinitely()
                .orElse(null);
        WorkerStore.WorkerView view = s.deps.store()
                .create(
                        UUID.randomUUID(),
                        s.sessionId,
                        projectId,
                        target.id(),
                        target.name(),
                        binding.workingDirectory(),
                        s.deps.config().instanceId(),
                        durable != null ? "durable" : "stdio",
                        durable != null ? durable.serverKey() : null,
                        s.fence)
                .await()
                .indefinitely();
        Worker w = new Worker(s.sessionId, view, target);
        s.workers.put(target.id(), w);
        s.workerState(w, "starting", null);
        try {
            if (durable != null) {
                try {
                    s.link.connectDurable(w, durable.command());
                } catch (IOException e) {
                    if (!mode.equals("auto") || e instanceof PinnedSsh.HostKeyRefused) {
                        throw e;
                    }
                    LOG.infof(
                            "session %s: no durable app-server on %s (%s); using stdio",
                            s.sessionId, target.name(), e.getMessage());
                    w.view = w.view.with("stdio", null);
                    WorkerLink.close(w);
                    s.link.connectStdio(w, stdioCommand);
                }
            } else {
                s.link.connectStdio(w, stdioCommand);
            }
        } catch (IOException e) {
            LOG.warnf(
                    "session %s: the worker on %s could not be reached: %s",
                    s.sessionId, target.name(), e.getMessage());
            s.endWorker(w, "failed", e.getMessage());
            s.workers.remove(target.id());
            throw new SessionDriver.Refused(e.getMessage());
        }
        try {
            s.link.hello(w);
            w.threadId = s.link.openThread(w, knownThread, binding.workingDirectory(), profile.codex());
            w.mapper.thread(w.threadId, 0);
        } catch (Exception e) {
            String message = "the app-server on " + target.name() + " did not start: " + SessionScope.cause(e)
                    + WorkerLink.stderrTail(w);
            w.stopping = true;
            WorkerLink.close(w);
            if (w.durable()) {
                s.link.stopServer(w);
            }
            LOG.warnf("session %s: %s", s.sessionId, message);
            s.endWorker(w, "failed", message);
            s.workers.remove(target.id());
            throw new SessionDriver.Refused(message);
        }
        LOG.infof(
                "session %s: worker %s ready on %s (%s%s, thread %s, in %s)",
                s.sessionId,
                w.view.id(),
                target.name(),
                w.view.transport(),
                w.view.serverKey() == null ? "" : " app-server " + w.view.serverKey(),
                w.threadId,
                binding.workingDirectory());
        s.deps.store().state(w.view, "ready", null, w.threadId, null).await().indefinitely();
        s.publish(
                w, List.of(new TurnMapper.Draft(null, null, SessionScope.workerPayload(w, "ready", null, w.threadId))));
        return w;
    }
}
