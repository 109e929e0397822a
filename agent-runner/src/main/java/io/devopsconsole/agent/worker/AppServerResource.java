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
import io.devopsconsole.platform.ssh.PinnedSsh;
import io.smallrye.common.annotation.Blocking;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * The durable app-servers on a target, as the host itself reports them (the fixed listing command
 * over SSH), each matched with the live worker that uses it; one that no live worker uses is an
 * orphan (its session ended while the runner could not reach the host, or a runner's state was
 * lost) and can be stopped here (fixed stop command, by key; operator and above); one whose process
 * is gone with its files left is stale, and {@code POST .../clean} removes the state of every stale
 * one no live worker uses (a sweep also does it periodically). Reading is a GET (any role) of the
 * newest stored observation, matched with the live workers now: it never logs in to the host
 * (ADR 0016). {@code POST .../refresh} (operator and above) asks the host — one SSH connection
 * running the fixed, read-only listing command — and stores what it reported.
 */
@Path("/api/targets/{targetId}/app-servers")
@Produces(MediaType.APPLICATION_JSON)
public class AppServerResource {

    private static final Logger LOG = Logger.getLogger(AppServerResource.class);

    /** {@code observedAt} null: nobody asked the host yet ({@code POST .../refresh}). */
    public record Page(
            UUID targetId,
            String targetName,
            java.time.OffsetDateTime observedAt,
            String observedBy,
            List<AppServers.AppServer> items) {}

    private final Inventory inventory;
    private final SshConnector ssh;
    private final WorkerStore store;
    private final AgentConfig config;
    private final CurrentActor actor;
    private final AppServers servers;

    public AppServerResource(
            Inventory inventory,
            SshConnector ssh,
            WorkerStore store,
            AgentConfig config,
            CurrentActor actor,
            AppServers servers) {
        this.inventory = inventory;
        this.ssh = ssh;
        this.store = store;
        this.config = config;
        this.actor = actor;
        this.servers = servers;
    }

    @GET
    @Blocking
    @RolesAllowed({Roles.VIEWER, Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN})
    public Page list(@PathParam("targetId") UUID targetId) {
        Inventory.Target target = inventory
                .target(targetId)
                .await()
                .indefinitely()
                .orElseThrow(() -> new ResourceNotFoundException("target", targetId));
        return servers.observed(targetId)
                .map(o -> new Page(targetId, target.name(), o.observedAt(), o.observedBy(), o.items()))
                .orElseGet(() -> new Page(targetId, target.name(), null, null, List.of()));
    }

    /** Asks the host for its app-servers now, stores the observation and answers it. */
    @POST
    @Path("/refresh")
    @Blocking
    @RolesAllowed({Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN})
    public Page refresh(@PathParam("targetId") UUID targetId) {
        Inventory.Target target = target(targetId);
        String who = actor.name().await().indefinitely();
        try {
            List<AppServers.AppServer> items = servers.list(target, who);
            return servers.observed(targetId)
                    .map(o -> new Page(targetId, target.name(), o.observedAt(), o.observedBy(), items))
                    .orElseGet(() -> new Page(targetId, target.name(), null, who, items));
        } catch (IOException e) {
            throw unreachable(target, e);
        }
    }

    /** Removes the state files of every stale app-server (process gone) that no live worker uses. */
    @POST
    @Path("/clean")
    @Blocking
    @RolesAllowed({Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN})
    public AppServers.Cleaned clean(@PathParam("targetId") UUID targetId) {
        Inventory.Target target = target(targetId);
        try {
            String who = actor.name().await().indefinitely();
            AppServers.Cleaned cleaned = servers.clean(target, who);
            LOG.infof("stale app-server state on %s cleaned by %s: %s", target.name(), who, cleaned.removed());
            return cleaned;
        } catch (IOException e) {
            throw unreachable(target, e);
        }
    }

    /** Stops an app-server no live worker uses (409 for one in use: stop its worker or session instead). */
    @POST
    @Path("/{serverKey}/stop")
    @Blocking
    @RolesAllowed({Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN})
    public AppServers.AppServer stop(@PathParam("targetId") UUID targetId, @PathParam("serverKey") String serverKey) {
        if (serverKey == null || !AppServers.KEY.matcher(serverKey).matches()) {
            throw new InvalidFieldException("server_key", "20 hexadecimal digits, as listed");
        }
        Inventory.Target target = target(targetId);
        var worker = store.liveByServerKey(targetId, serverKey).await().indefinitely();
        if (worker.isPresent()) {
            throw new ConflictException("app-server " + serverKey + " is used by live worker "
                    + worker.get().id() + " of session " + worker.get().sessionId()
                    + "; stop the worker or the session instead");
        }
        PinnedSsh.Result stopped;
        try {
            stopped = ssh.run(
                    target,
                    LaunchCommand.stopServer(config.codex().stateDirectory().orElse(null), serverKey),
                    Duration.ofSeconds(20));
        } catch (IOException e) {
            throw unreachable(target, e);
        }
        String who = actor.name().await().indefinitely();
        LOG.infof("orphaned app-server %s on %s stopped by %s", serverKey, target.name(), who);
        boolean gone = stopped.stdout().contains("stopped");
        try {
            servers.list(target, who); // the stored observation shows what is left
        } catch (IOException e) {
            LOG.debugf("listing after the stop on %s failed: %s", target.name(), e.toString());
        }
        return new AppServers.AppServer(serverKey, null, false, null, null, null, null, !gone, false);
    }

    /** The end of an app-server's log as the host has it, secrets redacted. */
    public record AppServerLog(
            UUID targetId,
            String targetName,
            String serverKey,
            boolean exists,
            long sizeBytes,
            long shownBytes,
            boolean truncated,
            String text,
            java.time.OffsetDateTime readAt,
            String readBy) {}

    /** How much of the end of the log to read. */
    public record LogRequest(
            @jakarta.validation.constraints.Min(1) @jakarta.validation.constraints.Max(LaunchCommand.LOG_READ_LIMIT)
            Integer maxBytes) {}

    /**
     * The end of a durable app-server's log (admins: it holds what the agent's tools printed), read
     * by the fixed read-only command over SSH — a POST, as asking the host logs in there (ADR 0016).
     * Secrets are redacted as in the transcript; control characters come back as they are, for the
     * console to show inertly.
     */
    @POST
    @Path("/{serverKey}/log")
    @Blocking
    @RolesAllowed(Roles.ADMIN)
    @jakarta.ws.rs.Consumes(MediaType.APPLICATION_JSON)
    public AppServerLog log(
            @PathParam("targetId") UUID targetId,
            @PathParam("serverKey") String serverKey,
            @jakarta.validation.Valid LogRequest request) {
        if (serverKey == null || !AppServers.KEY.matcher(serverKey).matches()) {
            throw new InvalidFieldException("server_key", "20 hexadecimal digits, as listed");
        }
        int max = request == null || request.maxBytes() == null ? 256 * 1024 : request.maxBytes();
        Inventory.Target target = target(targetId);
        PinnedSsh.Result read;
        try {
            read = ssh.run(
                    target,
                    LaunchCommand.readLog(config.codex().stateDirectory().orElse(null), serverKey, max),
                    Duration.ofSeconds(20));
        } catch (IOException e) {
            throw unreachable(target, e);
        }
        String who = actor.name().await().indefinitely();
        LOG.infof("app-server log %s on %s read by %s", serverKey, target.name(), who);
        String out = read.stdout();
        int nl = out.indexOf('\n');
        String first = (nl < 0 ? out : out.substring(0, nl)).strip();
        java.time.OffsetDateTime now = java.time.OffsetDateTime.now(java.time.ZoneOffset.UTC);
        if (!read.ok() || first.equals("none") || !first.matches("\\d{1,19}")) {
            return new AppServerLog(targetId, target.name(), serverKey, false, 0, 0, false, "", now, who);
        }
        long size = Long.parseLong(first);
        String text = nl < 0 ? "" : out.substring(nl + 1);
        long shown = Math.min(size, max);
        return new AppServerLog(
                targetId,
                target.name(),
                serverKey,
                true,
                size,
                shown,
                size > shown,
                io.devopsconsole.platform.text.StoredText.encode(
                        io.devopsconsole.platform.redaction.SecretScanner.redactText(text)),
                now,
                who);
    }

    private Inventory.Target target(UUID targetId) {
        Inventory.Target target = inventory
                .target(targetId)
                .await()
                .indefinitely()
                .orElseThrow(() -> new ResourceNotFoundException("target", targetId));
        String notReady =
                target.hostPublicKey() == null ? "target " + target.name() + " has no trusted host key" : null;
        if (notReady != null || target.removed()) {
            throw new ConflictException(notReady != null ? notReady : "target " + target.name() + " was removed");
        }
        return target;
    }

    private static ConflictException unreachable(Inventory.Target target, IOException e) {
        return new ConflictException("the host of target " + target.name() + " could not be asked: " + e.getMessage());
    }
}
