package io.devopsconsole.agent.worker;

import io.devopsconsole.platform.problem.ConflictException;
import io.devopsconsole.platform.problem.InvalidFieldException;
import io.devopsconsole.platform.problem.ResourceNotFoundException;
import io.devopsconsole.platform.security.CurrentActor;
import io.devopsconsole.platform.security.Roles;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponseSchema;
import org.jboss.resteasy.reactive.ResponseStatus;

/** The workers this service runs: list, one, and stop (operator and above). */
@Path("/api/workers")
@Produces(MediaType.APPLICATION_JSON)
public class WorkerResource {

    private static final Set<String> STATES =
            Set.of("starting", "ready", "busy", "detached", "lost", "stopping", "stopped", "failed");
    private static final Set<String> FINAL = Set.of("stopped", "failed", "lost");

    public record Page(List<WorkerStore.WorkerView> items) {}

    private final WorkerStore store;
    private final Drivers drivers;
    private final CurrentActor actor;

    public WorkerResource(WorkerStore store, Drivers drivers, CurrentActor actor) {
        this.store = store;
        this.drivers = drivers;
        this.actor = actor;
    }

    @GET
    @RolesAllowed({Roles.VIEWER, Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN})
    public Uni<Page> list(
            @QueryParam("session_id") UUID sessionId,
            @QueryParam("state") String state,
            @QueryParam("limit") @DefaultValue("100") @Min(1) @Max(500) int limit) {
        if (state != null && !STATES.contains(state)) {
            throw new InvalidFieldException(
                    "state",
                    "one of " + String.join(", ", STATES.stream().sorted().toList()));
        }
        return store.list(sessionId, state, limit).map(Page::new);
    }

    @GET
    @Path("/{id}")
    @RolesAllowed({Roles.VIEWER, Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN})
    public Uni<WorkerStore.WorkerView> get(@PathParam("id") UUID id) {
        return store.get(id).map(w -> w.orElseThrow(() -> new ResourceNotFoundException("worker", id)));
    }

    /**
     * Stops a live worker: its turn (if any) ends as interrupted and the app-server ends (a durable
     * one by the fixed stop command, a stdio one with its channel). 202: the stop is under way (GET shows
     * {@code stopped} shortly): at once when this replica drives the worker, else recorded for the runner
     * that does, which carries it out at its next tick (about a second). 409 when the worker has ended.
     */
    @POST
    @Path("/{id}/stop")
    @RolesAllowed({Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN})
    @ResponseStatus(202)
    @APIResponseSchema(
            value = WorkerStore.WorkerView.class,
            responseCode = "202",
            responseDescription = "The stop is under way (by whichever agent-runner drives the worker); GET shows"
                    + " `stopped` shortly.")
    @org.eclipse.microprofile.openapi.annotations.responses.APIResponse(
            responseCode = "409",
            description = "The worker has already ended.")
    public Uni<WorkerStore.WorkerView> stop(@PathParam("id") UUID id) {
        return store.get(id)
                .map(w -> w.orElseThrow(() -> new ResourceNotFoundException("worker", id)))
                .flatMap(w -> {
                    if (FINAL.contains(w.state())) {
                        throw new ConflictException("worker " + id + " has already ended (" + w.state() + ")");
                    }
                    return actor.name()
                            .flatMap(name -> drivers.stopWorker(id, name)
                                    ? Uni.createFrom().item(w)
                                    : store.requestStop(id, name).map(recorded -> {
                                        if (!recorded) {
                                            throw new ConflictException("worker " + id + " has already ended");
                                        }
                                        return w;
                                    }));
                });
    }
}
