package io.devopsconsole.registry.project;

import io.devopsconsole.events.registry.ProjectArchived;
import io.devopsconsole.events.registry.ProjectCreated;
import io.devopsconsole.events.registry.ProjectUpdated;
import io.devopsconsole.platform.outbox.Outbox;
import io.devopsconsole.platform.problem.ConflictException;
import io.devopsconsole.platform.problem.ResourceNotFoundException;
import io.devopsconsole.platform.problem.UniqueViolation;
import io.devopsconsole.platform.security.CurrentActor;
import io.devopsconsole.registry.Clock;
import io.devopsconsole.registry.Inputs;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/** Project lifecycle: each change and the event announcing it commit in one transaction. */
@ApplicationScoped
public class ProjectService {

    private final ProjectRepository projects;
    private final Outbox outbox;
    private final CurrentActor actor;

    public ProjectService(ProjectRepository projects, Outbox outbox, CurrentActor actor) {
        this.projects = projects;
        this.outbox = outbox;
        this.actor = actor;
    }

    @WithTransaction
    public Uni<ProjectResponse> create(ProjectRequests.CreateProjectRequest request) {
        // The unique constraint decides a taken slug (no read-then-write race); the project and its
        // event are flushed together and the violation, if any, becomes a 409 naming the field.
        return actor.name().flatMap(who -> {
            Project project = new Project(
                    UUID.randomUUID(),
                    request.slug(),
                    request.name().strip(),
                    Inputs.blankToNull(request.description()),
                    request.defaultWorkingDirectory(),
                    Clock.now(),
                    who);
            return projects.persist(project)
                    .flatMap(persisted -> outbox.record(new ProjectCreated(
                            project.id(),
                            project.slug(),
                            project.name(),
                            project.description(),
                            project.defaultWorkingDirectory(),
                            project.version())))
                    .flatMap(event -> projects.flush())
                    .onFailure(f -> UniqueViolation.of(f, "project_slug_key"))
                    .transform(f -> slugConflict(request.slug()))
                    .replaceWith(() -> ProjectResponse.of(project));
        });
    }

    @WithSession
    public Uni<ProjectResponse> get(UUID id) {
        return find(id).map(ProjectResponse::of);
    }

    @WithSession
    public Uni<ProjectResponse.Page> list(boolean includeArchived, int page, int size) {
        return projects.page(includeArchived, page, size)
                .flatMap(items -> projects.total(includeArchived)
                        .map(total -> new ProjectResponse.Page(
                                items.stream().map(ProjectResponse::of).toList(), page, size, total)));
    }

    @WithTransaction
    public Uni<ProjectResponse> update(UUID id, ProjectRequests.UpdateProjectRequest request) {
        return find(id).flatMap(project -> {
            requireVersion(project, request.version());
            if (project.archived()) {
                throw new ConflictException("project " + project.slug() + " is archived and cannot be changed");
            }
            String name = request.name().strip();
            String description = Inputs.blankToNull(request.description());
            List<String> changed = new ArrayList<>();
            if (!name.equals(project.name())) {
                changed.add("name");
            }
            if (!Objects.equals(description, project.description())) {
                changed.add("description");
            }
            if (!request.defaultWorkingDirectory().equals(project.defaultWorkingDirectory())) {
                changed.add("default_working_directory");
            }
            if (changed.isEmpty()) {
                return Uni.createFrom().item(ProjectResponse.of(project));
            }
            return actor.name()
                    .flatMap(who -> {
                        project.update(name, description, request.defaultWorkingDirectory(), Clock.now(), who);
                        return projects.flush();
                    })
                    .flatMap(flushed -> outbox.record(new ProjectUpdated(
                            project.id(),
                            project.slug(),
                            project.name(),
                            project.description(),
                            project.defaultWorkingDirectory(),
                            project.version(),
                            changed)))
                    .replaceWith(() -> ProjectResponse.of(project));
        });
    }

    @WithTransaction
    public Uni<ProjectResponse> archive(UUID id, Long expectedVersion) {
        return find(id).flatMap(project -> {
            if (expectedVersion != null) {
                requireVersion(project, expectedVersion);
            }
            if (project.archived()) {
                throw new ConflictException("project " + project.slug() + " is already archived");
            }
            return actor.name()
                    .flatMap(who -> {
                        project.archive(Clock.now(), who);
                        return projects.flush();
                    })
                    .flatMap(flushed -> outbox.record(
                            new ProjectArchived(project.id(), project.slug(), project.name(), project.version())))
                    .replaceWith(() -> ProjectResponse.of(project));
        });
    }

    private Uni<Project> find(UUID id) {
        return projects.findById(id).onItem().ifNull().failWith(() -> new ResourceNotFoundException("project", id));
    }

    private static void requireVersion(Project project, long expected) {
        ConflictException.requireVersion("project " + project.slug(), project.version(), expected);
    }

    private static ConflictException slugConflict(String slug) {
        return new ConflictException("slug", "a project with slug '" + slug + "' already exists");
    }
}
