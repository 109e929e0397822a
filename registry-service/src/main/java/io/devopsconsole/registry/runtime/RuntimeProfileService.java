package io.devopsconsole.registry.runtime;

import io.devopsconsole.events.registry.RuntimeProfileCreated;
import io.devopsconsole.events.registry.RuntimeProfileDeleted;
import io.devopsconsole.events.registry.RuntimeProfileState;
import io.devopsconsole.events.registry.RuntimeProfileUpdated;
import io.devopsconsole.platform.api.PageResponse;
import io.devopsconsole.platform.codex.CodexOptionRules;
import io.devopsconsole.platform.outbox.Outbox;
import io.devopsconsole.platform.problem.ConflictException;
import io.devopsconsole.platform.problem.InvalidFieldException;
import io.devopsconsole.platform.problem.Problem;
import io.devopsconsole.platform.problem.ResourceNotFoundException;
import io.devopsconsole.platform.problem.UniqueViolation;
import io.devopsconsole.registry.Clock;
import io.devopsconsole.registry.DeleteRequest;
import io.devopsconsole.registry.project.ProjectRepository;
import io.devopsconsole.registry.target.SshTarget;
import io.devopsconsole.registry.target.SshTargetRepository;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;

@ApplicationScoped
public class RuntimeProfileService {

    private final RuntimeProfileRepository profiles;
    private final ProjectRepository projects;
    private final SshTargetRepository targets;
    private final Outbox outbox;

    public RuntimeProfileService(
            RuntimeProfileRepository profiles, ProjectRepository projects, SshTargetRepository targets, Outbox outbox) {
        this.profiles = profiles;
        this.projects = projects;
        this.targets = targets;
        this.outbox = outbox;
    }

    @WithTransaction
    public Uni<RuntimeProfileApi.ProfileResponse> create(RuntimeProfileApi.CreateProfileRequest request) {
        return projects.findById(request.projectId())
                .flatMap(project -> {
                    if (project == null) {
                        throw new InvalidFieldException("project_id", "no project has this id");
                    }
                    if (project.archived()) {
                        throw new InvalidFieldException("project_id", "project " + project.slug() + " is archived");
                    }
                    codex(request.codex());
                    return bindings(request.bindings());
                })
                .flatMap(bindings -> {
                    RuntimeProfile profile = new RuntimeProfile(UUID.randomUUID(), request.projectId(), Clock.now());
                    profile.set(
                            request.switchPolicy() == null
                                    ? RuntimeProfile.SwitchPolicy.confirm
                                    : request.switchPolicy(),
                            bindings,
                            request.codex(),
                            Clock.now());
                    return profiles.persist(profile)
                            .flatMap(p -> profiles.flush())
                            .flatMap(f -> outbox.record(new RuntimeProfileCreated(profile.state())))
                            .flatMap(e -> profiles.flush())
                            .onFailure(f -> UniqueViolation.of(f, "runtime_profile_project_key"))
                            .transform(f ->
                                    new ConflictException("project_id", "this project already has a runtime profile"))
                            .replaceWith(() -> RuntimeProfileApi.ProfileResponse.of(profile));
                });
    }

    @WithSession
    public Uni<RuntimeProfileApi.ProfileResponse> get(UUID id) {
        return find(id).map(RuntimeProfileApi.ProfileResponse::of);
    }

    @WithSession
    public Uni<PageResponse<RuntimeProfileApi.ProfileResponse>> list(UUID projectId, int page, int size) {
        return profiles.page(projectId, page, size)
                .flatMap(rows -> profiles.total(projectId)
                        .map(total -> PageResponse.of(rows, RuntimeProfileApi.ProfileResponse::of, page, size, total)));
    }

    @WithTransaction
    public Uni<RuntimeProfileApi.ProfileResponse> update(UUID id, RuntimeProfileApi.UpdateProfileRequest request) {
        return find(id).flatMap(profile -> {
            ConflictException.requireVersion("runtime profile", profile.version(), request.version());
            RuntimeProfileState.CodexOptions codex = codex(request.codex());
            return bindings(request.bindings()).flatMap(bindings -> {
                List<String> changed = new ArrayList<>();
                if (request.switchPolicy() != profile.switchPolicy()) {
                    changed.add("switch_policy");
                }
                if (!sameBindings(profile.bindings(), bindings)) {
                    changed.add("bindings");
                }
                if (!codex.equals(profile.codex())) {
                    changed.add("codex");
                }
                if (changed.isEmpty()) {
                    return Uni.createFrom().item(RuntimeProfileApi.ProfileResponse.of(profile));
                }
                profile.set(request.switchPolicy(), bindings, codex, Clock.now());
                return profiles.flush()
                        .flatMap(f -> outbox.record(new RuntimeProfileUpdated(profile.state(), changed)))
                        .flatMap(e -> profiles.flush())
                        .replaceWith(() -> RuntimeProfileApi.ProfileResponse.of(profile));
            });
        });
    }

    @WithTransaction
    public Uni<Void> delete(UUID id, DeleteRequest request) {
        return find(id).flatMap(profile -> {
            if (request.version() != null) {
                ConflictException.requireVersion("runtime profile", profile.version(), request.version());
            }
            return outbox.record(new RuntimeProfileDeleted(profile.state()))
                    .flatMap(e -> profiles.delete(profile))
                    .flatMap(d -> profiles.flush());
        });
    }

    /** The Codex options, or a field error naming each bad one ({@code codex.model_base_url}). */
    private static RuntimeProfileState.CodexOptions codex(RuntimeProfileState.CodexOptions requested) {
        RuntimeProfileState.CodexOptions codex = requested == null ? RuntimeProfileState.CodexOptions.NONE : requested;
        List<Problem.FieldError> errors = new ArrayList<>();
        CodexOptionRules.problems(codex)
                .forEach((field, why) -> errors.add(new Problem.FieldError("codex." + field, why)));
        if (!errors.isEmpty()) {
            throw new InvalidFieldException(errors);
        }
        return codex;
    }

    /**
     * Exactly one primary; each target once; every target known and not retired. Errors name the
     * offending binding ({@code bindings[2].target_id}).
     */
    private Uni<List<Binding>> bindings(List<RuntimeProfileApi.BindingRequest> requested) {
        List<Problem.FieldError> errors = new ArrayList<>();
        long primaries =
                requested.stream().filter(b -> b.role() == Binding.Role.primary).count();
        if (primaries != 1) {
            errors.add(new Problem.FieldError(
                    "bindings", "must have exactly one primary binding (has " + primaries + ")"));
        }
        Set<UUID> seen = new HashSet<>();
        for (int i = 0; i < requested.size(); i++) {
            if (!seen.add(requested.get(i).targetId())) {
                errors.add(new Problem.FieldError("bindings[" + i + "].target_id", "binds the same target twice"));
            }
        }
        if (!errors.isEmpty()) {
            throw new InvalidFieldException(errors);
        }
        return targets.list("id in ?1", seen).map(found -> {
            Map<UUID, SshTarget> byId = found.stream().collect(Collectors.toMap(SshTarget::id, Function.identity()));
            List<Binding> out = new ArrayList<>();
            for (int i = 0; i < requested.size(); i++) {
                RuntimeProfileApi.BindingRequest b = requested.get(i);
                SshTarget target = byId.get(b.targetId());
                if (target == null) {
                    errors.add(new Problem.FieldError("bindings[" + i + "].target_id", "no SSH target has this id"));
                } else if (target.retired()) {
                    errors.add(new Problem.FieldError(
                            "bindings[" + i + "].target_id", "target " + target.name() + " is retired"));
                }
                out.add(new Binding(b.targetId(), b.role(), b.workingDirectory(), i));
            }
            if (!errors.isEmpty()) {
                throw new InvalidFieldException(errors);
            }
            return out;
        });
    }

    private static boolean sameBindings(List<Binding> a, List<Binding> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            Binding x = a.get(i);
            Binding y = b.get(i);
            if (!x.targetId().equals(y.targetId())
                    || x.role() != y.role()
                    || !x.workingDirectory().equals(y.workingDirectory())) {
                return false;
            }
        }
        return true;
    }

    private Uni<RuntimeProfile> find(UUID id) {
        return profiles.findById(id)
                .onItem()
                .ifNull()
                .failWith(() -> new ResourceNotFoundException("runtime profile", id));
    }
}
