package io.devopsconsole.onboarding.run;

import io.devopsconsole.events.DomainEvent;
import io.devopsconsole.events.onboarding.CodexReadinessObserved;
import io.devopsconsole.onboarding.ssh.HostSsh;
import io.devopsconsole.onboarding.ssh.RemoteCommands;
import io.devopsconsole.platform.problem.ConflictException;
import io.devopsconsole.platform.redaction.SecretScanner;
import io.devopsconsole.platform.security.Gate;
import io.devopsconsole.platform.security.Roles;
import io.devopsconsole.platform.ssh.PinnedSsh;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.ws.rs.ForbiddenException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Install plans: proposed → approved/rejected → executing → succeeded/failed. Only an approved
 * plan runs, only with {@code confirm_execute: true} (and {@code confirm_production: true} by an
 * approver on production), and only its fixed command sequence, stopping at the first failing
 * step. Step output is kept redacted and capped.
 */
@ApplicationScoped
public class PlanService {

    private static final Logger LOG = Logger.getLogger(PlanService.class);
    private static final int OUTPUT_KEPT = 8 * 1024;

    public record DecisionRequest(
            @jakarta.validation.constraints.Size(max = 500) String note, Boolean confirmProduction) {}

    public record ExecuteRequest(Boolean confirmExecute, Boolean confirmProduction) {}

    public record PlanView(
            UUID id,
            UUID runId,
            UUID targetId,
            String targetName,
            String environment,
            String state,
            String advisory,
            List<String> steps,
            String requestedBy,
            OffsetDateTime requestedAt,
            String decidedBy,
            OffsetDateTime decidedAt,
            String decisionNote,
            String executedBy,
            OffsetDateTime startedAt,
            OffsetDateTime finishedAt,
            String summary,
            List<PlanStore.StepOutput> stepResults) {}

    private final PlanStore plans;
    private final RunStore runs;
    private final HostSsh ssh;
    private final OnboardingService onboarding;
    private final Duration stepTimeout;
    private final com.fasterxml.jackson.databind.ObjectMapper json;

    public PlanService(
            PlanStore plans,
            RunStore runs,
            HostSsh ssh,
            OnboardingService onboarding,
            io.devopsconsole.onboarding.OnboardingConfig config,
            com.fasterxml.jackson.databind.ObjectMapper json,
            io.vertx.mutiny.core.Vertx vertx) {
        this.json = json;
        this.vertx = vertx;
        this.plans = plans;
        this.runs = runs;
        this.ssh = ssh;
        this.onboarding = onboarding;
        this.stepTimeout = config.installStepTimeout();
    }

    private final io.vertx.mutiny.core.Vertx vertx;
    private long sweeper = -1;

    /** At start and then every quarter lease, on every replica: plans whose replica stopped end failed (once). */
    void interruptedAtStart(@Observes StartupEvent start) {
        sweepInterrupted();
        sweeper = vertx.setPeriodic(PlanStore.EXECUTION_LEASE.toMillis() / 4, id -> sweepInterrupted());
    }

    void stop(@Observes io.quarkus.runtime.ShutdownEvent event) {
        if (sweeper >= 0) {
            vertx.cancelTimer(sweeper);
        }
    }

    void sweepInterrupted() {
        plans.interrupted()
                .flatMap(list -> {
                    Uni<Void> chain = Uni.createFrom().voidItem();
                    for (PlanStore.Plan p : list) {
                        LOG.warnf(
                                "install plan %s was left executing by a stopped replica (lease lapsed): marked failed",
                                p.id());
                        chain = chain.flatMap(v -> p.runId() == null
                                ? Uni.createFrom().voidItem()
                                : runs.find(p.runId()).flatMap(r -> {
                                    if (r.isEmpty()
                                            || !Run.INSTALLING.equals(r.get().state())) {
                                        return Uni.createFrom().voidItem();
                                    }
                                    Run failed = r.get().withState(Run.FAILED, null, p.summary());
                                    return runs.save(
                                                    failed,
                                                    List.of(new RunStore.Step(
                                                            "plan_failed",
                                                            "failed",
                                                            Run.INSTALLING,
                                                            Run.FAILED,
                                                            p.summary(),
                                                            null,
                                                            null)),
                                                    List.of(OnboardingService.milestone(
                                                            failed, p.id(), "plan_failed", p.summary())),
                                                    runs.systemActor())
                                            .replaceWithVoid();
                                }));
                    }
                    return chain;
                })
                .subscribe()
                .with(v -> {}, f -> LOG.error("could not settle interrupted install plans", f));
    }

    public Uni<PlanView> get(UUID id) {
        return plans.get(id).flatMap(this::view);
    }

    public Uni<List<PlanView>> list(UUID runId, String state, int page, int size) {
        return plans.list(runId, state, page, size)
                .map(list -> list.stream().map(p -> view(p, null)).toList());
    }

    public Uni<PlanView> approve(UUID id, DecisionRequest req, SecurityIdentity who, String actor) {
        return plans.get(id)
                .flatMap(plan -> {
                    if (plan.production()) {
                        Gate.requireApproval(
                                who,
                                req == null ? null : req.confirmProduction(),
                                "confirm_production",
                                "approve an install plan for a production server");
                    }
                    return plans.transition(
                                    plan,
                                    List.of("proposed"),
                                    "approved",
                                    actor,
                                    req == null ? null : req.note(),
                                    List.of())
                            .flatMap(approved -> runEvent(
                                            approved,
                                            "plan_approved",
                                            actor + " approved install plan " + id,
                                            "execute: install plan " + id
                                                    + " is approved; it runs its fixed commands when executed with"
                                                    + " confirmation",
                                            actor)
                                    .replaceWith(approved));
                })
                .flatMap(this::view);
    }

    public Uni<PlanView> reject(UUID id, DecisionRequest req, String actor) {
        return plans.get(id)
                .flatMap(plan -> plans.transition(
                                plan,
                                List.of("proposed", "approved"),
                                "rejected",
                                actor,
                                req == null ? null : req.note(),
                                List.of())
                        .flatMap(rejected -> runs.find(plan.runId()).flatMap(run -> {
                            if (run.isEmpty()
                                    || !Run.INSTALL_PLAN_PENDING.equals(
                                            run.get().state())) {
                                return Uni.createFrom().item(rejected);
                            }
                            String detail = actor + " rejected install plan " + id
                                    + (rejected.decisionNote() == null ? "" : ": " + rejected.decisionNote());
                            Run back = run.get()
                                    .withState(Run.READINESS_CHECKED, "advance: propose a new install plan", null);
                            return runs.save(
                                            back,
                                            List.of(new RunStore.Step(
                                                    "plan_rejected",
                                                    "ok",
                                                    Run.INSTALL_PLAN_PENDING,
                                                    Run.READINESS_CHECKED,
                                                    detail,
                                                    null,
                                                    null)),
                                            List.of(OnboardingService.milestone(back, id, "plan_rejected", detail)),
                                            actor)
                                    .replaceWith(rejected);
                        })))
                .flatMap(this::view);
    }

    /** Starts the approved plan (202): the run is {@code installing} until the sequence ends. */
    public Uni<PlanView> execute(UUID id, ExecuteRequest req, SecurityIdentity who, String actor) {
        Gate.requireConfirmed(
                req == null ? null : req.confirmExecute(), "confirm_execute", "execute this install plan");
        return plans.get(id)
                .flatMap(plan -> {
                    if (plan.production()) {
                        Gate.requireApproval(
                                who,
                                req.confirmProduction(),
                                "confirm_production",
                                "execute an install plan on a production server");
                    } else if (!(who.hasRole(Roles.OPERATOR)
                            || who.hasRole(Roles.APPROVER)
                            || who.hasRole(Roles.ADMIN))) {
                        throw new ForbiddenException("only an operator, approver or admin may execute an install plan");
                    }
                    if (!"approved".equals(plan.state())) {
                        throw new ConflictException(
                                "state", "install plan " + id + " is " + plan.state() + "; only an approved plan runs");
                    }
                    return runs.get(plan.runId()).flatMap(run -> {
                        if (!Run.INSTALL_PLAN_PENDING.equals(run.state())) {
                            throw new ConflictException(
                                    "state", "run " + run.id() + " is " + run.state() + ", not waiting for this plan");
                        }
                        return onboarding
                                .checkAlarm(run)
                                .flatMap(ok -> plans.transition(
                                        plan, List.of("approved"), "executing", actor, null, List.of()))
                                .flatMap(executing -> {
                                    Run installing =
                                            run.withState(Run.INSTALLING, "wait: the install plan is executing", null);
                                    String detail = actor + " started install plan " + id;
                                    return runs.save(
                                                    installing,
                                                    List.of(new RunStore.Step(
                                                            "plan_executing",
                                                            "ok",
                                                            run.state(),
                                                            Run.INSTALLING,
                                                            detail,
                                                            null,
                                                            null)),
                                                    List.of(OnboardingService.milestone(
                                                            installing, id, "plan_executing", detail)),
                                                    actor)
                                            .invoke(saved -> Infrastructure.getDefaultWorkerPool()
                                                    .execute(() -> runPlan(executing, saved, actor)))
                                            .replaceWith(executing);
                                });
                    });
                })
                .flatMap(this::view);
    }

    /** The sequence itself, on a worker thread: one SSH login, one channel per step, stop at the first failure. */
    private void runPlan(PlanStore.Plan plan, Run run, String actor) {
        long renewal = vertx.setPeriodic(
                PlanStore.EXECUTION_LEASE.toMillis() / 4,
                id -> plans.renew(plan.id())
                        .subscribe()
                        .with(
                                v -> {},
                                f -> LOG.warnf("could not renew the lease of install plan %s (%s)", plan.id(), f)));
        try {
            execute(plan, run, actor);
        } finally {
            vertx.cancelTimer(renewal);
        }
    }

    private void execute(PlanStore.Plan plan, Run run, String actor) {
        String failure = null;
        Map<String, String> readiness = null;
        int done = 0;
        try (PinnedSsh.Connection c =
                ssh.open(onboarding.endpointOf(run).await().atMost(Duration.ofSeconds(30)))) {
            for (String command : plan.steps()) {
                int seq = ++done;
                plans.stepStarted(plan.id(), seq, command).await().indefinitely();
                PinnedSsh.Result result;
                try {
                    result = c.run(command, stepTimeout);
                } catch (java.io.IOException e) {
                    plans.stepEnded(plan.id(), seq, -1, e.getMessage()).await().indefinitely();
                    failure = "step " + seq + " (" + command + ") did not finish: " + e.getMessage();
                    break;
                }
                String output =
                        kept(result.stdout() + (result.stderr().isEmpty() ? "" : "\n[stderr]\n" + result.stderr()));
                plans.stepEnded(plan.id(), seq, result.exitStatus(), output)
                        .await()
                        .indefinitely();
                event(
                        run,
                        plan,
                        "install_step",
                        "step " + seq + " " + command + " exited " + result.exitStatus(),
                        actor);
                if (!result.ok()) {
                    failure = "step " + seq + " (" + command + ") exited " + result.exitStatus();
                    break;
                }
            }
            if (failure == null) {
                readiness = RemoteCommands.facts(c.run(RemoteCommands.READINESS, OnboardingService.PROBE_TIMEOUT)
                        .stdout());
            }
        } catch (PinnedSsh.HostKeyRefused e) {
            plans.transition(plan, List.of("executing"), "failed", actor, e.getMessage(), List.of())
                    .await()
                    .indefinitely();
            onboarding.hostKeyChanged(run, e, actor).await().indefinitely();
            return;
        } catch (Exception e) {
            failure = "the install plan could not run: " + e.getMessage();
        }
        try {
            finish(plan, run, failure, readiness, actor);
        } catch (Exception e) {
            LOG.errorf(e, "could not record the end of install plan %s", plan.id());
        }
    }

    private void finish(PlanStore.Plan plan, Run run, String failure, Map<String, String> facts, String actor) {
        Run current = runs.get(run.id()).await().indefinitely().withConnections(1);
        if (failure != null) {
            plans.transition(plan, List.of("executing"), "failed", actor, failure, List.of())
                    .await()
                    .indefinitely();
            Run failed = current.withState(Run.FAILED, null, failure);
            runs.save(
                            failed,
                            List.of(new RunStore.Step(
                                    "plan_failed", "failed", Run.INSTALLING, Run.FAILED, failure, null, null)),
                            List.of(
                                    OnboardingService.milestone(failed, plan.id(), "plan_failed", failure),
                                    OnboardingService.milestone(failed, plan.id(), "failed", failure)),
                            actor)
                    .await()
                    .indefinitely();
            return;
        }
        Readiness r = Readiness.of(facts);
        String summary = plan.steps().size() + " steps succeeded; " + r.summary();
        plans.transition(plan, List.of("executing"), "succeeded", actor, summary, List.of())
                .await()
                .indefinitely();
        List<DomainEvent> events = new ArrayList<>();
        events.add(new CodexReadinessObserved(run.targetId(), run.id(), r.codexStatus(), r.codexVersion()));
        Run next;
        if (r.complete()) {
            next = current.withState(Run.AUTH_REQUIRED, OnboardingService.authWaiting(), null);
            events.add(OnboardingService.milestone(next, plan.id(), "plan_succeeded", summary));
        } else {
            next = current.withState(Run.FAILED, null, "the install plan ran but " + r.summary());
            events.add(OnboardingService.milestone(next, plan.id(), "failed", next.failure()));
        }
        runs.save(
                        next,
                        List.of(new RunStore.Step(
                                "plan_succeeded", "ok", Run.INSTALLING, next.state(), summary, r.facts(json), null)),
                        events,
                        actor)
                .await()
                .indefinitely();
    }

    private void event(Run run, PlanStore.Plan plan, String milestone, String detail, String actor) {
        var events = List.of(OnboardingService.milestone(run, plan.id(), milestone, detail));
        runs.pool()
                .withTransaction(c -> runs.outbox()
                        .recordAll(
                                c, events, actor, io.devopsconsole.onboarding.EventRisk.of(events, run.production())))
                .await()
                .indefinitely();
    }

    private Uni<Run> runEvent(PlanStore.Plan plan, String milestone, String detail, String waiting, String actor) {
        return runs.find(plan.runId()).flatMap(run -> {
            if (run.isEmpty() || run.get().finished()) {
                return Uni.createFrom().nullItem();
            }
            Run next = run.get().withState(run.get().state(), waiting, null);
            return runs.save(
                    next,
                    List.of(new RunStore.Step(milestone, "ok", next.state(), next.state(), detail, null, null)),
                    List.of(OnboardingService.milestone(next, plan.id(), milestone, detail)),
                    actor);
        });
    }

    /** Output as kept: redacted, then the last 8 KiB. */
    public static String kept(String output) {
        String redacted = SecretScanner.redactText(output);
        return redacted.length() <= OUTPUT_KEPT
                ? redacted
                : "[...]" + redacted.substring(redacted.length() - OUTPUT_KEPT);
    }

    private Uni<PlanView> view(PlanStore.Plan plan) {
        return plans.outputs(plan.id()).map(out -> view(plan, out));
    }

    private static PlanView view(PlanStore.Plan p, List<PlanStore.StepOutput> outputs) {
        return new PlanView(
                p.id(),
                p.runId(),
                p.targetId(),
                p.targetName(),
                p.environment(),
                p.state(),
                p.advisory(),
                p.steps(),
                p.requestedBy(),
                p.requestedAt(),
                p.decidedBy(),
                p.decidedAt(),
                p.decisionNote(),
                p.executedBy(),
                p.startedAt(),
                p.finishedAt(),
                p.summary(),
                outputs);
    }
}
