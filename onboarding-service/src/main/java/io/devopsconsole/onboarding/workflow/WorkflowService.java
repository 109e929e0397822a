package io.devopsconsole.onboarding.workflow;

import io.devopsconsole.events.onboarding.HostWorkflowChanged;
import io.devopsconsole.onboarding.OnboardingConfig;
import io.devopsconsole.onboarding.inventory.RegistryView;
import io.devopsconsole.onboarding.run.PlanStore;
import io.devopsconsole.onboarding.run.RunStore;
import io.devopsconsole.onboarding.ssh.HostSsh;
import io.devopsconsole.onboarding.ssh.RemoteCommands;
import io.devopsconsole.platform.lifecycle.Detached;
import io.devopsconsole.platform.problem.ConflictException;
import io.devopsconsole.platform.problem.InvalidFieldException;
import io.devopsconsole.platform.security.Gate;
import io.devopsconsole.platform.ssh.PinnedSsh;
import io.devopsconsole.platform.validation.SafeDirectory;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Controlled host workflows: a fixed command sequence from {@link RemoteCommands} with validated
 * parameters, proposed for one target (its exact commands shown), approved by a person, executed
 * only with {@code confirm_execute: true}, one step after another over one pinned SSH login,
 * stopping at the first failure. Every transition and every step is announced (audited). The
 * first workflow is {@code cockpit}: on a lab target whose Codex is ready, prepare the project
 * tree, refresh the package lists, install Cockpit, enable {@code cockpit.socket}, verify that
 * port 9090 listens, and offer the URL.
 */
@ApplicationScoped
public class WorkflowService {

    private static final Logger LOG = Logger.getLogger(WorkflowService.class);
    static final String COCKPIT = "cockpit";
    static final String DEFAULT_DIRECTORY = "/opt/cockpit";

    /** A workflow the console can run: its name, what it does, and its steps' titles in order. */
    public record Kind(String name, String title, String description, List<String> steps, String requires) {}

    public record KindList(List<Kind> items) {}

    static final Kind COCKPIT_KIND = new Kind(
            COCKPIT,
            "Cockpit web console",
            "Installs Cockpit and enables its socket so the server's web console answers at https://HOST:9090/.",
            List.of(
                    "prepare the project tree",
                    "refresh the package lists",
                    "install Cockpit",
                    "enable cockpit.socket",
                    "verify port 9090 listens"),
            "a lab target with a trusted host key whose Codex is ready (onboarding finished)");

    public record ProposeRequest(
            @NotNull @Size(max = 40) String workflow,
            @NotNull UUID targetId,

            @SafeDirectory(workspace = true) @Size(max = 1024)
            String directory) {}

    public record DecisionRequest(@Size(max = 500) String note) {}

    public record ExecuteRequest(Boolean confirmExecute) {}

    /** One step: its title, the exact command, and (once run) its exit code and kept output. */
    public record StepView(
            int seq,
            String title,
            String command,
            String state,
            Integer exitCode,
            String output,
            OffsetDateTime startedAt,
            OffsetDateTime finishedAt) {}

    public record WorkflowView(
            UUID id,
            String workflow,
            String title,
            UUID targetId,
            String targetName,
            String environment,
            String directory,
            String state,
            List<StepView> steps,
            String requestedBy,
            OffsetDateTime requestedAt,
            String decidedBy,
            OffsetDateTime decidedAt,
            String decisionNote,
            String executedBy,
            OffsetDateTime startedAt,
            OffsetDateTime finishedAt,
            String summary,
            String resultUrl,
            long version) {}

    public record WorkflowPage(List<WorkflowView> items, int page, int size) {}

    private final WorkflowStore store;
    private final PlanStore steps;
    private final RegistryView registry;
    private final RunStore runs;
    private final HostSsh ssh;
    private final Duration stepTimeout;
    private final io.vertx.mutiny.core.Vertx vertx;
    private long sweeper = -1;

    public WorkflowService(
            WorkflowStore store,
            PlanStore steps,
            RegistryView registry,
            RunStore runs,
            HostSsh ssh,
            OnboardingConfig config,
            io.vertx.mutiny.core.Vertx vertx) {
        this.store = store;
        this.steps = steps;
        this.registry = registry;
        this.runs = runs;
        this.ssh = ssh;
        this.stepTimeout = config.installStepTimeout();
        this.vertx = vertx;
    }

    void start(@Observes StartupEvent start) {
        sweepInterrupted();
        sweeper = vertx.setPeriodic(PlanStore.EXECUTION_LEASE.toMillis() / 4, id -> sweepInterrupted());
    }

    void stop(@Observes ShutdownEvent event) {
        if (sweeper >= 0) {
            vertx.cancelTimer(sweeper);
        }
    }

    void sweepInterrupted() {
        store.interrupted()
                .flatMap(list -> {
                    Uni<Void> chain = Uni.createFrom().voidItem();
                    for (WorkflowStore.Workflow w : list) {
                        LOG.warnf("host workflow %s was left executing by a stopped replica: marked failed", w.id());
                        chain = chain.flatMap(v ->
                                store.announce(List.of(event(w, "failed", w.summary(), null)), runs.systemActor()));
                    }
                    return chain;
                })
                .subscribe()
                .with(v -> {}, f -> LOG.error("could not settle interrupted host workflows", f));
    }

    public KindList kinds() {
        return new KindList(List.of(COCKPIT_KIND));
    }

    public Uni<WorkflowView> get(UUID id) {
        return store.get(id).flatMap(this::view);
    }

    public Uni<WorkflowPage> list(UUID targetId, String state, int page, int size) {
        return store.list(targetId, state, page, size).flatMap(list -> {
            if (list.isEmpty()) {
                return Uni.createFrom().item(new WorkflowPage(List.of(), page, size));
            }
            List<Uni<WorkflowView>> views = list.stream().map(this::view).toList();
            return Uni.join().all(views).andFailFast().map(all -> new WorkflowPage(all, page, size));
        });
    }

    /** Checks the target and stores the proposal with its exact commands (nothing runs yet). */
    public Uni<WorkflowView> propose(ProposeRequest req, String actor) {
        if (req == null) {
            throw new InvalidFieldException("workflow", "must not be null");
        }
        if (!COCKPIT.equals(req.workflow())) {
            throw new InvalidFieldException("workflow", "unknown host workflow; known: " + COCKPIT);
        }
        String directory = req.directory() == null ? DEFAULT_DIRECTORY : req.directory();
        return target(req.targetId(), "target_id").flatMap(t -> {
            List<String> commands;
            try {
                commands = RemoteCommands.cockpitSetup(t.username(), directory);
            } catch (IllegalArgumentException e) {
                throw new InvalidFieldException("directory", e.getMessage());
            }
            UUID id = UUID.randomUUID();
            WorkflowStore.Workflow draft = new WorkflowStore.Workflow(
                    id,
                    COCKPIT,
                    t.id(),
                    t.name(),
                    t.environment(),
                    directory,
                    "proposed",
                    commands,
                    actor,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    0);
            return store.propose(
                            id,
                            COCKPIT,
                            t.id(),
                            t.name(),
                            t.environment(),
                            directory,
                            commands,
                            actor,
                            List.of(event(
                                    draft,
                                    "proposed",
                                    actor + " proposed Cockpit setup in " + directory + " (" + commands.size()
                                            + " fixed steps)",
                                    null)))
                    .flatMap(this::get);
        });
    }

    public Uni<WorkflowView> approve(UUID id, DecisionRequest req, String actor) {
        return decide(id, req, actor, List.of("proposed"), "approved");
    }

    public Uni<WorkflowView> reject(UUID id, DecisionRequest req, String actor) {
        return decide(id, req, actor, List.of("proposed", "approved"), "rejected");
    }

    private Uni<WorkflowView> decide(UUID id, DecisionRequest req, String actor, List<String> from, String to) {
        String note = req == null ? null : req.note();
        return store.get(id)
                .flatMap(w -> store.move(
                        w,
                        from,
                        to,
                        actor,
                        note,
                        null,
                        List.of(event(w, to, actor + " " + to + (note == null ? "" : ": " + note), null))))
                .flatMap(this::view);
    }

    /**
     * Starts an approved workflow (202): {@code executing} until its steps end; follow it with GET. Once
     * the move to executing commits, the steps run whatever the client does (a disconnect only loses
     * the answer).
     */
    public Uni<WorkflowView> execute(UUID id, ExecuteRequest req, String actor) {
        Gate.requireConfirmed(
                req == null ? null : req.confirmExecute(), "confirm_execute", "execute this host workflow");
        return Detached.run(store.get(id)
                .flatMap(w -> {
                    if (!"approved".equals(w.state())) {
                        throw new ConflictException(
                                "state",
                                "host workflow " + id + " is " + w.state() + "; only an approved workflow runs");
                    }
                    return target(w.targetId(), "target_id")
                            .flatMap(t -> store.start(
                                            w,
                                            actor,
                                            List.of(event(w, "executing", actor + " started the fixed steps", null)))
                                    .invoke(executing -> Infrastructure.getDefaultWorkerPool()
                                            .execute(() -> run(executing, t, actor))));
                })
                .flatMap(this::view));
    }

    /**
     * The target a workflow may run on: active, key trusted, no host-key alarm, lab, Codex ready.
     * Each refusal names the field and says what to do.
     */
    private Uni<RegistryView.Target> target(UUID targetId, String field) {
        return registry.target(targetId).flatMap(found -> {
            RegistryView.Target t = found.filter(x -> !x.removed() && !x.retired())
                    .orElseThrow(() -> new InvalidFieldException(field, "no such active target in the inventory"));
            if (!"lab".equals(t.environment())) {
                throw new ConflictException(
                        field, "Cockpit setup runs on lab targets only; " + t.name() + " is " + t.environment());
            }
            if (t.hostPublicKey() == null) {
                throw new ConflictException(field, "target " + t.name() + " has no trusted host key: onboard it first");
            }
            if (!"ready".equals(t.codexStatus())) {
                throw new ConflictException(
                        field,
                        "target " + t.name() + " is not auth-ready (Codex " + t.codexStatus()
                                + "): finish its onboarding first");
            }
            return runs.alarm(t.id()).map(alarm -> {
                alarm.ifPresent(m -> {
                    throw new ConflictException("host_key", m);
                });
                return t;
            });
        });
    }

    /** On a worker thread: one pinned SSH login, one channel per step, stop at the first failure. */
    private void run(WorkflowStore.Workflow w, RegistryView.Target t, String actor) {
        long renewal = vertx.setPeriodic(
                PlanStore.EXECUTION_LEASE.toMillis() / 4,
                id -> steps.renew(w.id())
                        .subscribe()
                        .with(
                                v -> {},
                                f -> LOG.warnf("could not renew the lease of host workflow %s (%s)", w.id(), f)));
        String failure = null;
        try (PinnedSsh.Connection c = ssh.open(endpoint(t))) {
            int seq = 0;
            for (String command : w.steps()) {
                seq++;
                String title = title(w, seq);
                steps.stepStarted(w.id(), seq, command).await().indefinitely();
                PinnedSsh.Result result;
                try {
                    result = c.run(command, stepTimeout);
                } catch (java.io.IOException e) {
                    steps.stepEnded(w.id(), seq, -1, kept(e.getMessage()))
                            .await()
                            .indefinitely();
                    failure = "step " + seq + " (" + title + ") did not finish: " + e.getMessage();
                    break;
                }
                steps.stepEnded(
                                w.id(),
                                seq,
                                result.exitStatus(),
                                kept(result.stdout()
                                        + (result.stderr().isEmpty() ? "" : "\n[stderr]\n" + result.stderr())))
                        .await()
                        .indefinitely();
                store.announce(
                                List.of(event(
                                        w,
                                        "step",
                                        "step " + seq + " (" + title + ") exited " + result.exitStatus(),
                                        null)),
                                actor)
                        .await()
                        .indefinitely();
                if (!result.ok()) {
                    failure = "step " + seq + " (" + title + ") exited " + result.exitStatus();
                    break;
                }
            }
        } catch (PinnedSsh.HostKeyRefused e) {
            failure = "the host presented a different key: " + e.getMessage();
            try {
                runs.raiseAlarm(t.id(), e.expected(), e.presented()).await().indefinitely();
            } catch (RuntimeException alarm) {
                LOG.errorf(alarm, "could not raise the host-key alarm for %s", t.name());
            }
        } catch (Exception e) {
            failure = "the workflow could not run: " + e.getMessage();
        } finally {
            vertx.cancelTimer(renewal);
        }
        String url = failure == null ? url(t.host()) : null;
        String end = failure == null ? "succeeded" : "failed";
        String summary = failure == null ? w.steps().size() + " steps succeeded; Cockpit answers at " + url : failure;
        try {
            store.move(w, List.of("executing"), end, actor, summary, url, List.of(event(w, end, summary, url)))
                    .await()
                    .indefinitely();
        } catch (RuntimeException e) {
            LOG.errorf(e, "could not record the end of host workflow %s", w.id());
        }
    }

    static String url(String host) {
        return "https://" + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + RemoteCommands.COCKPIT_PORT
                + "/";
    }

    private static PinnedSsh.Endpoint endpoint(RegistryView.Target t) {
        return new PinnedSsh.Endpoint(
                t.name(),
                t.host(),
                t.port(),
                t.username(),
                t.hostPublicKey(),
                t.hostKeyFingerprint(),
                t.keySource(),
                t.keyReference(),
                t.environment());
    }

    private static HostWorkflowChanged event(WorkflowStore.Workflow w, String state, String detail, String url) {
        return new HostWorkflowChanged(
                w.id(), w.workflow(), w.targetId(), w.targetName(), w.environment(), state, detail, url);
    }

    private static String title(WorkflowStore.Workflow w, int seq) {
        List<String> titles = COCKPIT.equals(w.workflow()) ? COCKPIT_KIND.steps() : List.of();
        return seq <= titles.size() ? titles.get(seq - 1) : "step " + seq;
    }

    private static String kept(String output) {
        return io.devopsconsole.onboarding.run.PlanService.kept(output == null ? "" : output);
    }

    private Uni<WorkflowView> view(WorkflowStore.Workflow w) {
        return steps.outputs(w.id()).map(out -> view(w, out));
    }

    private static WorkflowView view(WorkflowStore.Workflow w, List<PlanStore.StepOutput> outputs) {
        Map<Integer, PlanStore.StepOutput> bySeq = new java.util.HashMap<>();
        outputs.forEach(o -> bySeq.put(o.seq(), o));
        List<StepView> list = new ArrayList<>();
        for (int i = 0; i < w.steps().size(); i++) {
            PlanStore.StepOutput o = bySeq.get(i + 1);
            String state = o == null
                    ? ("executing".equals(w.state()) || "proposed".equals(w.state()) || "approved".equals(w.state())
                            ? "pending"
                            : "skipped")
                    : o.exitCode() == null ? "running" : o.exitCode() == 0 ? "ok" : "failed";
            list.add(new StepView(
                    i + 1,
                    title(w, i + 1),
                    w.steps().get(i),
                    state,
                    o == null ? null : o.exitCode(),
                    o == null ? null : o.output(),
                    o == null ? null : o.startedAt(),
                    o == null ? null : o.finishedAt()));
        }
        return new WorkflowView(
                w.id(),
                w.workflow(),
                COCKPIT.equals(w.workflow()) ? COCKPIT_KIND.title() : w.workflow(),
                w.targetId(),
                w.targetName(),
                w.environment(),
                w.directory(),
                w.state(),
                list,
                w.requestedBy(),
                w.requestedAt(),
                w.decidedBy(),
                w.decidedAt(),
                w.decisionNote(),
                w.executedBy(),
                w.startedAt(),
                w.finishedAt(),
                w.summary(),
                w.resultUrl(),
                w.version());
    }
}
