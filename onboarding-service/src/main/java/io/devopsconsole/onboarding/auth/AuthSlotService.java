package io.devopsconsole.onboarding.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.devopsconsole.events.DomainEvent;
import io.devopsconsole.events.onboarding.CodexAuthSlotChanged;
import io.devopsconsole.events.onboarding.CodexReadinessObserved;
import io.devopsconsole.onboarding.inventory.RegistryView;
import io.devopsconsole.onboarding.run.OnboardingService;
import io.devopsconsole.onboarding.run.Run;
import io.devopsconsole.onboarding.run.RunStore;
import io.devopsconsole.onboarding.ssh.HostSsh;
import io.devopsconsole.onboarding.ssh.RemoteCommands;
import io.devopsconsole.platform.problem.ConflictException;
import io.devopsconsole.platform.problem.InvalidFieldException;
import io.devopsconsole.platform.secrets.SecretRef;
import io.devopsconsole.platform.secrets.SecretStore;
import io.devopsconsole.platform.security.Gate;
import io.devopsconsole.platform.ssh.PinnedSsh;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.validation.constraints.Size;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Codex auth slots: auth material (the {@code auth.json} a Codex login writes) imported into the
 * secret store, leased to one target (and optionally one session) at a time, provisioned over SSH
 * to {@code $HOME/.codex/auth.json} of the target's SSH user (mode 600, written atomically), and
 * collected back when Codex refreshed it. Nothing here ever returns, logs or announces the
 * material: responses and events carry the slot's metadata and secret reference only.
 */
@ApplicationScoped
public class AuthSlotService {

    static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");
    static final int MAX_BYTES = 64 * 1024;
    static final String FILE_KEY = "auth.json";
    static final Duration TIMEOUT = Duration.ofSeconds(30);

    public record ImportRequest(
            @Size(max = 63) String name,
            JsonNode authJson,
            @Size(max = 1024) String path) {}

    public record LeaseRequest(UUID targetId, UUID sessionId) {}

    public record ProvisionRequest(Boolean confirmProvision, Boolean confirmProduction) {}

    public record SlotView(
            UUID id,
            String name,
            String secretReference,
            int secretVersion,
            String source,
            int sizeBytes,
            UUID leasedTargetId,
            UUID leasedSessionId,
            String leasedBy,
            OffsetDateTime leasedAt,
            OffsetDateTime provisionedAt,
            OffsetDateTime collectedAt,
            String createdBy,
            OffsetDateTime createdAt,
            OffsetDateTime updatedAt,
            long version) {
        static SlotView of(AuthSlotStore.Slot s) {
            return new SlotView(
                    s.id(),
                    s.name(),
                    s.secretReference(),
                    s.secretVersion(),
                    s.source(),
                    s.sizeBytes(),
                    s.leasedTargetId(),
                    s.leasedSessionId(),
                    s.leasedBy(),
                    s.leasedAt(),
                    s.provisionedAt(),
                    s.collectedAt(),
                    s.createdBy(),
                    s.createdAt(),
                    s.updatedAt(),
                    s.version());
        }
    }

    public record CollectView(SlotView slot, boolean changed) {}

    private final AuthSlotStore slots;
    private final SecretStore secrets;
    private final RegistryView registry;
    private final RunStore runs;
    private final HostSsh ssh;
    private final ObjectMapper json;
    private final OnboardingService onboarding;
    private final Path importDirectory;

    public AuthSlotService(
            AuthSlotStore slots,
            SecretStore secrets,
            RegistryView registry,
            RunStore runs,
            HostSsh ssh,
            ObjectMapper json,
            OnboardingService onboarding,
            io.devopsconsole.onboarding.OnboardingConfig config) {
        this.slots = slots;
        this.secrets = secrets;
        this.registry = registry;
        this.runs = runs;
        this.ssh = ssh;
        this.json = json;
        this.onboarding = onboarding;
        this.importDirectory =
                Path.of(config.authImportDirectory()).toAbsolutePath().normalize();
    }

    // ---- import, read, delete -----------------------------------------------------------------

    public Uni<SlotView> importSlot(ImportRequest req, String actor) {
        if (req == null || req.name() == null || !NAME.matcher(req.name()).matches()) {
            throw new InvalidFieldException("name", "must be 1-63 lower-case letters, digits, '.', '_' or '-'");
        }
        if ((req.authJson() == null) == (req.path() == null)) {
            throw new InvalidFieldException(
                    "auth_json",
                    "give the auth material either as auth_json or as a path on the" + " console host, not both");
        }
        byte[] material;
        String source;
        if (req.authJson() != null) {
            if (!req.authJson().isObject()) {
                throw new InvalidFieldException("auth_json", "must be the JSON object of a Codex auth.json");
            }
            material = req.authJson().toString().getBytes(StandardCharsets.UTF_8);
            source = "upload";
        } else {
            material = readImportFile(req.path());
            source = "file";
        }
        check(material, req.authJson() != null ? "auth_json" : "path");
        UUID id = UUID.randomUUID();
        SecretRef ref = new SecretRef("codex-auth/" + id);
        String text = new String(material, StandardCharsets.UTF_8);
        return secrets.put(ref, Map.of(FILE_KEY, text))
                .flatMap(version -> slots.insert(
                                id,
                                req.name(),
                                ref.path(),
                                version,
                                source,
                                material.length,
                                actor,
                                List.of(new CodexAuthSlotChanged(
                                        id,
                                        req.name(),
                                        "imported",
                                        ref.path(),
                                        version,
                                        null,
                                        null,
                                        "imported from "
                                                + (source.equals("file")
                                                        ? "a file on the console host"
                                                        : "an upload"))))
                        .onFailure()
                        .call(f -> secrets.delete(ref)))
                .map(SlotView::of);
    }

    /** Where files may be imported from is named by its setting, never by its path on the console host. */
    static final String IMPORT_ONLY = "must be a regular file in the console's Codex auth import directory"
            + " (setting devops.onboarding.auth-import-directory; no links out of it)";

    private byte[] readImportFile(String path) {
        Path file = Path.of(path).toAbsolutePath().normalize();
        try {
            if (!file.startsWith(importDirectory)) {
                throw new InvalidFieldException("path", IMPORT_ONLY);
            }
            Path real = file.toRealPath();
            if (!real.startsWith(importDirectory.toRealPath())
                    || !Files.isRegularFile(real, LinkOption.NOFOLLOW_LINKS)) {
                throw new InvalidFieldException("path", IMPORT_ONLY);
            }
            if (Files.size(real) > MAX_BYTES) {
                throw new InvalidFieldException("path", "is larger than 64 KiB: not a Codex auth.json");
            }
            return Files.readAllBytes(real);
        } catch (IOException | java.nio.file.InvalidPathException e) {
            throw new InvalidFieldException("path", "cannot be read on the console host");
        }
    }

    private void check(byte[] material, String field) {
        if (material.length > MAX_BYTES) {
            throw new InvalidFieldException(field, "is larger than 64 KiB: not a Codex auth.json");
        }
        try {
            if (!json.readTree(material).isObject()) {
                throw new InvalidFieldException(field, "must hold a JSON object (a Codex auth.json)");
            }
        } catch (IOException e) {
            throw new InvalidFieldException(field, "must hold a JSON object (a Codex auth.json)");
        }
    }

    public Uni<SlotView> get(UUID id) {
        return slots.get(id).map(SlotView::of);
    }

    public Uni<List<SlotView>> list(int page, int size) {
        return slots.list(page, size)
                .map(list -> list.stream().map(SlotView::of).toList());
    }

    public Uni<Void> delete(UUID id, String actor) {
        return slots.get(id).flatMap(slot -> {
            if (slot.leasedTargetId() != null) {
                throw new ConflictException(
                        "slot " + slot.name() + " is leased to target " + slot.leasedTargetId() + ": release it first");
            }
            return slots.delete(
                            slot, actor, List.of(event(slot, "deleted", null, null, "slot and its material deleted")))
                    .flatMap(v -> secrets.delete(new SecretRef(slot.secretReference())))
                    .replaceWithVoid();
        });
    }

    // ---- lease ---------------------------------------------------------------------------------

    public Uni<SlotView> lease(UUID id, LeaseRequest req, String actor) {
        if (req == null || req.targetId() == null) {
            throw new InvalidFieldException("target_id", "name the target that gets this slot");
        }
        return registry.target(req.targetId())
                .flatMap(target -> {
                    RegistryView.Target t = target.filter(x -> !x.removed())
                            .orElseThrow(
                                    () -> new InvalidFieldException("target_id", "no such target in the inventory"));
                    if (t.retired()) {
                        throw new InvalidFieldException("target_id", "target " + t.name() + " is retired");
                    }
                    return runs.alarm(t.id())
                            .flatMap(alarm -> {
                                alarm.ifPresent(m -> {
                                    throw new ConflictException("host_key", m);
                                });
                                return slots.get(id);
                            })
                            .flatMap(slot -> {
                                if (slot.leasedTargetId() != null) {
                                    throw new ConflictException(
                                            "target_id",
                                            "slot " + slot.name() + " is leased to target " + slot.leasedTargetId()
                                                    + (slot.leasedSessionId() == null
                                                            ? ""
                                                            : " (session " + slot.leasedSessionId() + ")"));
                                }
                                String detail = actor + " leased slot " + slot.name() + " to " + t.name()
                                        + (req.sessionId() == null ? "" : " for session " + req.sessionId());
                                return slots.update(
                                        slot,
                                        "leased_target_id = $3, leased_session_id = $4, leased_by = $5, leased_at = now()",
                                        java.util.Arrays.asList(t.id(), req.sessionId(), actor),
                                        actor,
                                        List.of(event(slot, "leased", t.id(), req.sessionId(), detail)),
                                        "target " + t.name() + " already holds another Codex auth slot");
                            });
                })
                .map(SlotView::of);
    }

    public Uni<SlotView> release(UUID id, String actor) {
        return slots.get(id)
                .flatMap(slot -> {
                    if (slot.leasedTargetId() == null) {
                        throw new ConflictException("slot " + slot.name() + " is not leased");
                    }
                    return slots.update(
                            slot,
                            "leased_target_id = NULL, leased_session_id = NULL, leased_by = NULL, leased_at = NULL",
                            List.of(),
                            actor,
                            List.of(event(
                                    slot,
                                    "released",
                                    slot.leasedTargetId(),
                                    slot.leasedSessionId(),
                                    actor + " released slot " + slot.name())),
                            null);
                })
                .map(SlotView::of);
    }

    // ---- provision, collect --------------------------------------------------------------------

    /**
     * Writes the slot's material to the leased target. A run of that target waiting for auth moves
     * through {@code auth_provisioning} to {@code ready}; the registry hears the target is ready.
     */
    public Uni<SlotView> provision(UUID id, ProvisionRequest req, SecurityIdentity who, String actor) {
        Gate.requireConfirmed(
                req == null ? null : req.confirmProvision(),
                "confirm_provision",
                "write Codex auth material to a target");
        return leasedTarget(id)
                .flatMap(leased -> {
                    AuthSlotStore.Slot slot = leased.slot();
                    if (leased.target().production()) {
                        Gate.requireApproval(
                                who,
                                req.confirmProduction(),
                                "confirm_production",
                                "write Codex auth to a production server");
                    }
                    Optional<Run> run = leased.run().filter(r -> Run.AUTH_REQUIRED.equals(r.state()));
                    Uni<Optional<Run>> started = run.isEmpty()
                            ? Uni.createFrom().item(Optional.<Run>empty())
                            : runs.save(
                                            run.get()
                                                    .withState(
                                                            Run.AUTH_PROVISIONING,
                                                            "wait: the auth material is being written",
                                                            null),
                                            List.of(new RunStore.Step(
                                                    "auth_provisioning",
                                                    "ok",
                                                    Run.AUTH_REQUIRED,
                                                    Run.AUTH_PROVISIONING,
                                                    actor + " provisions Codex auth slot " + slot.name(),
                                                    null,
                                                    null)),
                                            List.of(),
                                            actor)
                                    .map(Optional::of);
                    return started.flatMap(provisioning -> secrets.get(new SecretRef(slot.secretReference()))
                            .flatMap(material -> {
                                String content = material.map(m -> m.get(FILE_KEY))
                                        .orElseThrow(() -> new ConflictException("the material of slot " + slot.name()
                                                + " is missing from the secret store"));
                                return OnboardingService.blocking(() -> {
                                    try (PinnedSsh.Connection c = ssh.open(leased.endpoint())) {
                                        PinnedSsh.Result written = c.run(
                                                RemoteCommands.PROVISION_AUTH,
                                                content.getBytes(StandardCharsets.UTF_8),
                                                TIMEOUT);
                                        if (!written.ok() || !written.stdout().contains("mode=600")) {
                                            throw new IOException("writing $HOME/.codex/auth.json failed (exit "
                                                    + written.exitStatus() + ")");
                                        }
                                        PinnedSsh.Result codex = c.run("codex --version", TIMEOUT);
                                        return codex.ok() ? codex.stdout().strip() : null;
                                    }
                                });
                            }) // whatever failed (store, SSH), a run that entered auth_provisioning goes back (or fails
                            // on a changed key)
                            .onFailure()
                            .call(f -> provisioning
                                    .map(p -> failRun(p, f, actor))
                                    .orElse(Uni.createFrom().voidItem()))
                            .onFailure(IOException.class)
                            .transform(f -> hostProblem(leased, (IOException) f))
                            .flatMap(codexVersion ->
                                    provisioned(slot, leased.target(), provisioning, codexVersion, actor)));
                })
                .map(SlotView::of);
    }

    private Uni<AuthSlotStore.Slot> provisioned(
            AuthSlotStore.Slot slot, RegistryView.Target target, Optional<Run> run, String codexVersion, String actor) {
        String detail = "slot " + slot.name() + " written to $HOME/.codex/auth.json of " + target.username() + "@"
                + target.name() + " (mode 600)";
        List<DomainEvent> events = new ArrayList<>();
        events.add(event(slot, "provisioned", target.id(), slot.leasedSessionId(), detail));
        boolean ready = codexVersion != null;
        if (ready) {
            events.add(new CodexReadinessObserved(target.id(), run.map(Run::id).orElse(null), "ready", codexVersion));
        }
        Uni<AuthSlotStore.Slot> updated = slots.update(slot, "provisioned_at = now()", List.of(), actor, events, null);
        if (run.isEmpty()) {
            return updated;
        }
        Run r = run.get().withConnections(1);
        Run next = ready
                ? r.withState(Run.READY, null, null)
                : r.withState(Run.FAILED, null, "auth written, but codex --version fails on the target");
        return updated.call(s -> runs.save(
                next,
                List.of(new RunStore.Step(
                        "auth_provisioned",
                        ready ? "ok" : "failed",
                        Run.AUTH_PROVISIONING,
                        next.state(),
                        detail + (ready ? "; " + codexVersion + " answers" : ""),
                        null,
                        null)),
                List.of(
                        OnboardingService.milestone(next, null, "auth_provisioned", detail),
                        OnboardingService.milestone(
                                next,
                                null,
                                next.state(),
                                ready ? target.name() + " is ready for Codex" : next.failure())),
                actor));
    }

    private Uni<Void> failRun(Run provisioning, Throwable f, String actor) {
        if (f instanceof PinnedSsh.HostKeyRefused changed) {
            return onboarding.hostKeyChanged(provisioning, changed, actor).replaceWithVoid();
        }
        Run back = provisioning
                .withConnections(1)
                .withState(
                        Run.AUTH_REQUIRED, OnboardingService.authWaiting(), "provisioning failed: " + f.getMessage());
        return runs.save(
                        back,
                        List.of(new RunStore.Step(
                                "auth_provisioning",
                                "failed",
                                Run.AUTH_PROVISIONING,
                                Run.AUTH_REQUIRED,
                                "provisioning failed: " + f.getMessage(),
                                null,
                                null)),
                        List.of(OnboardingService.milestone(back, null, "auth_provision_failed", f.getMessage())),
                        actor)
                .replaceWithVoid();
    }

    /** Reads the target's auth.json back; a refreshed one becomes the slot's new version. */
    public Uni<CollectView> collect(UUID id, String actor) {
        return leasedTarget(id)
                .flatMap(leased -> OnboardingService.blocking(() -> {
                            try (PinnedSsh.Connection c = ssh.open(leased.endpoint())) {
                                PinnedSsh.Result read = c.run(RemoteCommands.COLLECT_AUTH, TIMEOUT);
                                if (!read.ok()) {
                                    throw new ConflictException("no $HOME/.codex/auth.json on "
                                            + leased.target().name() + " to collect");
                                }
                                return read.stdout().getBytes(StandardCharsets.UTF_8);
                            }
                        })
                        .onFailure(PinnedSsh.HostKeyRefused.class)
                        .call(f -> runs.raiseAlarm(
                                leased.target().id(),
                                ((PinnedSsh.HostKeyRefused) f).expected(),
                                ((PinnedSsh.HostKeyRefused) f).presented()))
                        .onFailure(IOException.class)
                        .transform(f -> hostProblem(leased, (IOException) f))
                        .flatMap(bytes -> {
                            check(bytes, "(target file)");
                            String collected = new String(bytes, StandardCharsets.UTF_8);
                            AuthSlotStore.Slot slot = leased.slot();
                            SecretRef ref = new SecretRef(slot.secretReference());
                            return secrets.get(ref).flatMap(current -> {
                                boolean changed = current.map(m -> !collected.equals(m.get(FILE_KEY)))
                                        .orElse(true);
                                Uni<Integer> version = changed
                                        ? secrets.put(ref, Map.of(FILE_KEY, collected))
                                        : Uni.createFrom().item(slot.secretVersion());
                                return version.flatMap(v -> slots.update(
                                                slot,
                                                "secret_version = $3, size_bytes = $4, collected_at = now()",
                                                List.of(v, bytes.length),
                                                actor,
                                                List.of(new CodexAuthSlotChanged(
                                                        slot.id(),
                                                        slot.name(),
                                                        "collected",
                                                        slot.secretReference(),
                                                        v,
                                                        leased.target().id(),
                                                        slot.leasedSessionId(),
                                                        changed
                                                                ? "refreshed material collected from "
                                                                        + leased.target()
                                                                                .name()
                                                                : "the target's material is unchanged")),
                                                null))
                                        .map(s -> new CollectView(SlotView.of(s), changed));
                            });
                        }));
    }

    /** A failure on the host is a conflict with the target's state (409 naming it), not a server error. */
    private static ConflictException hostProblem(Leased leased, IOException f) {
        return new ConflictException("target_id", "on " + leased.target().name() + ": " + f.getMessage());
    }

    record Leased(
            AuthSlotStore.Slot slot, RegistryView.Target target, PinnedSsh.Endpoint endpoint, Optional<Run> run) {}

    /** The slot, its leased target, how to reach it (the trusted key) and the target's open run; 409 when any is missing. */
    private Uni<Leased> leasedTarget(UUID id) {
        return slots.get(id).flatMap(slot -> {
            if (slot.leasedTargetId() == null) {
                throw new ConflictException("slot " + slot.name() + " is not leased to a target: lease it first");
            }
            return registry.target(slot.leasedTargetId()).flatMap(target -> {
                RegistryView.Target t = target.filter(x -> !x.removed())
                        .orElseThrow(() ->
                                new ConflictException("target " + slot.leasedTargetId() + " is not in the inventory"));
                return runs.alarm(t.id())
                        .flatMap(alarm -> {
                            alarm.ifPresent(m -> {
                                throw new ConflictException("host_key", m);
                            });
                            return runs.openRunOf(t.id());
                        })
                        .map(run -> {
                            String key = t.hostPublicKey();
                            String fingerprint = t.hostKeyFingerprint();
                            if (key == null && run.isPresent() && run.get().trustedPublicKey() != null) {
                                key = run.get().trustedPublicKey();
                                fingerprint = run.get().trustedFingerprint();
                            }
                            if (key == null) {
                                throw new ConflictException("target " + t.name()
                                        + " has no trusted host key: trust one through onboarding");
                            }
                            return new Leased(
                                    slot,
                                    t,
                                    new PinnedSsh.Endpoint(
                                            t.name(),
                                            t.host(),
                                            t.port(),
                                            t.username(),
                                            key,
                                            fingerprint,
                                            t.keySource(),
                                            t.keyReference(),
                                            t.environment()),
                                    run);
                        });
            });
        });
    }

    private static CodexAuthSlotChanged event(
            AuthSlotStore.Slot slot, String action, UUID target, UUID session, String detail) {
        return new CodexAuthSlotChanged(
                slot.id(), slot.name(), action, slot.secretReference(), slot.secretVersion(), target, session, detail);
    }
}
