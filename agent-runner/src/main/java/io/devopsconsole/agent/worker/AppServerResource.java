package io.devopsconsole.agent.worker;

import io.devopsconsole.agent.AgentConfig;
import io.devopsconsole.agent.codex.LaunchCommand;
import io.devopsconsole.agent.inventory.Inventory;
import io.devopsconsole.agent.ssh.SshConnector;
import io.devopsconsole.platform.problem.ConflictException;
import io.devopsconsole.platform.problem.InvalidFieldException;
import io.devopsconsole.platform.problem.ResourceNotFoundException;
import io.devopsconsole.platform.security.CurrentActor;
import io.devopsconsole.platform.security.Roles;
import io.smallrye.common.annotation.Blocking;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The durable app-servers on a target, as the host itself reports them (the fixed listing command
 * over SSH), each matched with the live worker that uses it; one that no live worker uses is an
 * orphan (its session ended while the runner could not reach the host, or a runner's state was
 * lost) and can be stopped here (fixed stop command, by key; operator and above). Listing is a
 * read (any role): one SSH connection running the fixed, read-only listing command.
 */
@Path("/api/targets/{targetId}/app-servers")
@Produces(MediaType.APPLICATION_JSON)
public class AppServerResource {

    private static final Logger LOG = Logger.getLogger(AppServerResource.class);
    private static final Pattern KEY = Pattern.compile("[0-9a-f]{20}");

    /** One app-server on the host. */
    public record AppServer(String serverKey, Long pid, boolean alive, String workingDirectory, UUID workerId, UUID sessionId,
                            String workerState, boolean orphan) {
    }

    public record Page(UUID targetId, String targetName, List<AppServer> items) {
    }

    private final Inventory inventory;
    private final SshConnector ssh;
    private final WorkerStore store;
    private final AgentConfig config;
    private final CurrentActor actor;

    public AppServerResource(Inventory inventory, SshConnector ssh, WorkerStore store, AgentConfig config, CurrentActor actor) {
        this.inventory = inventory;
        this.ssh = ssh;
        this.store = store;
        this.config = config;
        this.actor = actor;
    }

    @GET
    @Blocking
    @RolesAllowed({Roles.VIEWER, Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN})
    public Page list(@PathParam("targetId") UUID targetId) {
        Inventory.Target target = target(targetId);
        SshConnector.Result listed = run(target, LaunchCommand.listServers(config.codex().stateDirectory().orElse(null)));
        List<AppServer> out = new ArrayList<>();
        for (String line : listed.stdout().split("\n")) {
            String[] f = line.split("\t", -1);
            if (f.length < 4 || !KEY.matcher(f[0]).matches()) {
                continue;
            }
            Long pid = f[1].matches("[0-9]{1,10}") ? Long.parseLong(f[1]) : null;
            var worker = store.liveByServerKey(targetId, f[0]).await().indefinitely();
            boolean alive = f[2].equals("alive");
            out.add(new AppServer(f[0], pid, alive, f[3].isEmpty() ? null : f[3], worker.map(WorkerStore.WorkerView::id).orElse(null),
                    worker.map(WorkerStore.WorkerView::sessionId).orElse(null), worker.map(WorkerStore.WorkerView::state).orElse(null),
                    worker.isEmpty() && alive));
        }
        return new Page(targetId, target.name(), out);
    }

    /** Stops an app-server no live worker uses (409 for one in use: stop its worker or session instead). */
    @POST
    @Path("/{serverKey}/stop")
    @Blocking
    @RolesAllowed({Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN})
    public AppServer stop(@PathParam("targetId") UUID targetId, @PathParam("serverKey") String serverKey) {
        if (serverKey == null || !KEY.matcher(serverKey).matches()) {
            throw new InvalidFieldException("server_key", "20 hexadecimal digits, as listed");
        }
        Inventory.Target target = target(targetId);
        var worker = store.liveByServerKey(targetId, serverKey).await().indefinitely();
        if (worker.isPresent()) {
            throw new ConflictException("app-server " + serverKey + " is used by live worker " + worker.get().id()
                    + " of session " + worker.get().sessionId() + "; stop the worker or the session instead");
        }
        SshConnector.Result stopped = run(target, LaunchCommand.stopServer(config.codex().stateDirectory().orElse(null), serverKey));
        LOG.infof("orphaned app-server %s on %s stopped by %s", serverKey, target.name(), actor.name().await().indefinitely());
        return new AppServer(serverKey, null, false, null, null, null, null, !stopped.stdout().contains("stopped"));
    }

    private Inventory.Target target(UUID targetId) {
        Inventory.Target target = inventory.target(targetId).await().indefinitely()
                .orElseThrow(() -> new ResourceNotFoundException("target", targetId));
        String notReady = target.hostPublicKey() == null ? "target " + target.name() + " has no trusted host key" : null;
        if (notReady != null || target.removed()) {
            throw new ConflictException(notReady != null ? notReady : "target " + target.name() + " was removed");
        }
        return target;
    }

    private SshConnector.Result run(Inventory.Target target, String command) {
        try {
            return ssh.run(target, command, Duration.ofSeconds(20));
        } catch (IOException e) {
            throw new ConflictException("the host of target " + target.name() + " could not be asked: " + e.getMessage());
        }
    }
}
