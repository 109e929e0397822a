package io.devopsconsole.onboarding.tunnel;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.devopsconsole.events.onboarding.TunnelStateObserved;
import io.devopsconsole.onboarding.inventory.RegistryView;
import io.devopsconsole.onboarding.run.OnboardingService;
import io.devopsconsole.onboarding.run.RunStore;
import io.devopsconsole.onboarding.ssh.HostSsh;
import io.devopsconsole.onboarding.ssh.RemoteCommands;
import io.devopsconsole.platform.outbox.Outbox;
import io.devopsconsole.platform.problem.ConflictException;
import io.devopsconsole.platform.problem.InvalidFieldException;
import io.devopsconsole.platform.redaction.SecretScanner;
import io.devopsconsole.platform.security.Gate;
import io.devopsconsole.platform.ssh.PinnedSsh;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * WireGuard operations for registered tunnel profiles, run over SSH on the profile's gateway
 * target (the host whose interface carries the tunnel; often the console host itself, registered
 * as a target). All commands are fixed (RemoteCommands); the interface name and config path come
 * from the registered profile and are validated again before use. Status never includes private
 * fields: only peers' public keys, endpoints, handshake times and byte counts. Each operation is
 * recorded and announced (TunnelStateObserved), which the registry applies to the profile.
 */
@ApplicationScoped
public class WireGuardService {

    static final Duration TIMEOUT = Duration.ofSeconds(60);

    public record OperationRequest(UUID gatewayTargetId, Boolean confirmExecute, Boolean confirmProduction) {}

    public record CommandResult(String command, int exitCode, String output) {}

    public record OperationView(
            UUID id,
            UUID tunnelProfileId,
            String tunnelName,
            String interfaceName,
            UUID gatewayTargetId,
            String action,
            String outcome,
            String operationalState,
            boolean usableForRemoteExecution,
            String detail,
            ObjectNode facts,
            List<CommandResult> commands,
            String actor,
            OffsetDateTime at) {}

    private final RegistryView registry;
    private final RunStore runs;
    private final HostSsh ssh;
    private final Pool pool;
    private final Outbox outbox;
    private final ObjectMapper json;
    private final String table;
    private final Duration handshakeWait;

    public WireGuardService(
            RegistryView registry,
            RunStore runs,
            HostSsh ssh,
            Pool pool,
            Outbox outbox,
            ObjectMapper json,
            @ConfigProperty(name = "devops.schema") String schema,
            io.devopsconsole.onboarding.OnboardingConfig config) {
        this.registry = registry;
        this.runs = runs;
        this.ssh = ssh;
        this.pool = pool;
        this.outbox = outbox;
        this.json = json;
        this.table = schema + ".tunnel_operation";
        this.handshakeWait = config.wireguardHandshakeWait();
    }

    /** Where an operation runs: the profile and the gateway (reachable under its trusted key, not stopped by an alarm). */
    record Place(RegistryView.Tunnel tunnel, RegistryView.Target gateway, PinnedSsh.Endpoint endpoint) {}

    private Uni<Place> place(UUID tunnelId, UUID gatewayId) {
        if (gatewayId == null) {
            throw new InvalidFieldException("gateway_target_id", "name the target whose interface carries this tunnel");
        }
        return registry.tunnel(tunnelId).flatMap(tunnel -> {
            RegistryView.Tunnel t = tunnel.filter(x -> !x.deleted())
                    .orElseThrow(() -> new io.devopsconsole.platform.problem.ResourceNotFoundException(
                            "tunnel profile", tunnelId));
            if (!"wireguard".equals(t.kind())) {
                throw new ConflictException("tunnel profile " + t.name() + " is not a WireGuard profile");
            }
            try {
                RemoteCommands.wireguardCheck(t.configFile());
                RemoteCommands.wireguardUp("root", t.interfaceName());
            } catch (IllegalArgumentException e) {
                throw new ConflictException("tunnel profile " + t.name() + " has an unusable " + e.getMessage());
            }
            return registry.target(gatewayId).flatMap(target -> {
                RegistryView.Target g = target.filter(x -> !x.removed() && !x.retired())
                        .orElseThrow(() -> new InvalidFieldException(
                                "gateway_target_id", "no such active target in the inventory"));
                if (g.hostPublicKey() == null) {
                    throw new ConflictException("target " + g.name() + " has no trusted host key: onboard it first");
                }
                return runs.alarm(g.id()).map(alarm -> {
                    alarm.ifPresent(m -> {
                        throw new ConflictException("host_key", m);
                    });
                    return new Place(
                            t,
                            g,
                            new PinnedSsh.Endpoint(
                                    g.name(),
                                    g.host(),
                                    g.port(),
                                    g.username(),
                                    g.hostPublicKey(),
                                    g.hostKeyFingerprint(),
                                    g.keySource(),
                                    g.keyReference(),
                                    g.environment()));
                });
            });
        });
    }

    private static void gate(Place p, OperationRequest req, SecurityIdentity who, String action) {
        if (p.gateway().production()) {
            Gate.requireApproval(
                    who, req.confirmProduction(), "confirm_production", action + " on a production gateway");
        }
    }

    /** Non-mutating profile check: the file exists, mode no wider than 600, [Interface]/[Peer] present, tooling present. */
    public Uni<OperationView> check(UUID tunnelId, OperationRequest req, String actor) {
        return place(tunnelId, req == null ? null : req.gatewayTargetId())
                .flatMap(p -> run(p, actor, "check", c -> {
                    PinnedSsh.Result r =
                            c.run(RemoteCommands.wireguardCheck(p.tunnel().configFile()), TIMEOUT);
                    Map<String, String> f = RemoteCommands.facts(r.stdout());
                    ObjectNode facts = json.createObjectNode();
                    ArrayNode problems = facts.putArray("problems");
                    boolean exists = "yes".equals(f.get("exists"));
                    facts.put("config_path", p.tunnel().configFile())
                            .put("exists", exists)
                            .put("mode", f.get("mode"));
                    if (!exists) {
                        problems.add("the profile file " + p.tunnel().configFile() + " does not exist on "
                                + p.gateway().name());
                    } else {
                        if (!modeAtMost600(f.get("mode"))) {
                            problems.add("the profile file is mode " + f.get("mode")
                                    + ": wider than 600 (others may read the private key)");
                        }
                        int interfaces = number(f.get("interface_sections"));
                        int peers = number(f.get("peer_sections"));
                        facts.put("interface_sections", interfaces).put("peer_sections", peers);
                        if (interfaces != 1) {
                            problems.add(
                                    "the profile needs exactly one [Interface] section (found " + interfaces + ")");
                        }
                        if (peers < 1) {
                            problems.add("the profile has no [Peer] section");
                        }
                    }
                    boolean tooling = !f.getOrDefault("wg", "").isEmpty()
                            && !f.getOrDefault("wg_quick", "").isEmpty();
                    facts.put("tooling_present", tooling);
                    if (!tooling) {
                        problems.add("wg and wg-quick are not installed (install the tooling first)");
                    }
                    String outcome = problems.isEmpty() ? "ok" : "problems";
                    return new Outcome(
                            outcome,
                            p.tunnel().operationalState(),
                            "up".equals(p.tunnel().operationalState()),
                            problems.isEmpty()
                                    ? "profile " + p.tunnel().name() + " is well-formed and the tooling is present"
                                    : problems.size() + " problem(s): "
                                            + problems.get(0).asText(),
                            facts,
                            List.of());
                }));
    }

    public Uni<OperationView> tooling(UUID tunnelId, OperationRequest req, String actor) {
        return place(tunnelId, req == null ? null : req.gatewayTargetId())
                .flatMap(p -> run(p, actor, "tooling_check", c -> {
                    Map<String, String> f = RemoteCommands.facts(
                            c.run(RemoteCommands.WG_TOOLING, TIMEOUT).stdout());
                    boolean present = !f.getOrDefault("wg", "").isEmpty()
                            && !f.getOrDefault("wg_quick", "").isEmpty();
                    ObjectNode facts = json.createObjectNode()
                            .put("wg", f.get("wg"))
                            .put("wg_quick", f.get("wg_quick"))
                            .put("tooling_present", present);
                    return new Outcome(
                            present ? "ok" : "missing",
                            p.tunnel().operationalState(),
                            "up".equals(p.tunnel().operationalState()),
                            present ? "wg and wg-quick are installed" : "wg and wg-quick are missing",
                            facts,
                            List.of());
                }));
    }

    /** The fixed tooling install, only with {@code confirm_execute: true}; stops at the first failing step. */
    public Uni<OperationView> install(UUID tunnelId, OperationRequest req, SecurityIdentity who, String actor) {
        Gate.requireConfirmed(
                req == null ? null : req.confirmExecute(), "confirm_execute", "install the WireGuard tooling");
        return place(tunnelId, req.gatewayTargetId()).flatMap(p -> {
            gate(p, req, who, "install the WireGuard tooling");
            return run(p, actor, "tooling_install", c -> {
                List<CommandResult> done = new java.util.ArrayList<>();
                for (String command :
                        RemoteCommands.wireguardInstall(p.gateway().username())) {
                    PinnedSsh.Result r = c.run(command, TIMEOUT.multipliedBy(10));
                    done.add(result(command, r));
                    if (!r.ok()) {
                        return new Outcome(
                                "failed",
                                p.tunnel().operationalState(),
                                false,
                                command + " exited " + r.exitStatus(),
                                json.createObjectNode(),
                                done);
                    }
                }
                return new Outcome(
                        "succeeded",
                        p.tunnel().operationalState(),
                        "up".equals(p.tunnel().operationalState()),
                        "wireguard and wireguard-tools installed",
                        json.createObjectNode(),
                        done);
            });
        });
    }

    /**
     * {@code wg-quick up}, then fixed status checks until a peer handshake and received bytes are
     * seen (within the handshake wait); without them the interface is taken down again.
     */
    public Uni<OperationView> activate(UUID tunnelId, OperationRequest req, SecurityIdentity who, String actor) {
        return place(tunnelId, req == null ? null : req.gatewayTargetId()).flatMap(p -> {
            gate(p, req, who, "activate a tunnel");
            String user = p.gateway().username();
            String iface = p.tunnel().interfaceName();
            return run(p, actor, "activate", c -> {
                List<CommandResult> done = new java.util.ArrayList<>();
                if (c.run(RemoteCommands.wireguardExists(user, iface), TIMEOUT).ok()) {
                    ObjectNode status = status(c, user, iface, done);
                    boolean live = status.path("live").asBoolean();
                    return new Outcome(
                            "already_up", live ? "up" : "down", live, iface + " was already up", status, done);
                }
                String up = RemoteCommands.wireguardUp(user, iface);
                PinnedSsh.Result r = c.run(up, TIMEOUT);
                done.add(result(up, r));
                if (!r.ok()) {
                    return new Outcome(
                            "failed",
                            "down",
                            false,
                            "wg-quick up " + iface + " exited " + r.exitStatus(),
                            json.createObjectNode(),
                            done);
                }
                long deadline = System.nanoTime() + handshakeWait.toNanos();
                ObjectNode status;
                do {
                    status = status(c, user, iface, done);
                    if (status.path("live").asBoolean()) {
                        return new Outcome(
                                "succeeded",
                                "up",
                                true,
                                iface + " is up: a peer handshake and received bytes seen",
                                status,
                                done);
                    }
                    // the peer needs a moment for its first handshake; this runs on a worker thread inside
                    // the operation's one SSH login, and the wait is bounded by the configured handshake wait
                    Thread.sleep(1000);
                } while (System.nanoTime() < deadline);
                String down = RemoteCommands.wireguardDown(user, iface);
                PinnedSsh.Result back = c.run(down, TIMEOUT);
                done.add(result(down, back));
                return new Outcome(
                        "rolled_back",
                        "down",
                        false,
                        "no peer handshake or received bytes within " + handshakeWait.toSeconds() + " s: " + iface
                                + " taken down again",
                        status,
                        done);
            });
        });
    }

    /** {@code wg-quick down}; an interface that is already down is a no-op. */
    public Uni<OperationView> deactivate(UUID tunnelId, OperationRequest req, SecurityIdentity who, String actor) {
        return place(tunnelId, req == null ? null : req.gatewayTargetId()).flatMap(p -> {
            gate(p, req, who, "deactivate a tunnel");
            String user = p.gateway().username();
            String iface = p.tunnel().interfaceName();
            return run(p, actor, "deactivate", c -> {
                List<CommandResult> done = new java.util.ArrayList<>();
                if (!c.run(RemoteCommands.wireguardExists(user, iface), TIMEOUT).ok()) {
                    return new Outcome(
                            "already_down", "down", false, iface + " was already down", json.createObjectNode(), done);
                }
                String down = RemoteCommands.wireguardDown(user, iface);
                PinnedSsh.Result r = c.run(down, TIMEOUT);
                done.add(result(down, r));
                return r.ok()
                        ? new Outcome("succeeded", "down", false, iface + " is down", json.createObjectNode(), done)
                        : new Outcome(
                                "failed",
                                "unknown",
                                false,
                                "wg-quick down " + iface + " exited " + r.exitStatus(),
                                json.createObjectNode(),
                                done);
            });
        });
    }

    /** Runtime status without private fields. */
    public Uni<OperationView> status(UUID tunnelId, UUID gatewayId, String actor) {
        return place(tunnelId, gatewayId)
                .flatMap(p -> run(p, actor, "status", c -> {
                    String user = p.gateway().username();
                    String iface = p.tunnel().interfaceName();
                    if (!c.run(RemoteCommands.wireguardExists(user, iface), TIMEOUT)
                            .ok()) {
                        return new Outcome(
                                "down",
                                "down",
                                false,
                                iface + " is not up",
                                json.createObjectNode().put("live", false),
                                List.of());
                    }
                    ObjectNode status = status(c, user, iface, null);
                    boolean live = status.path("live").asBoolean();
                    return new Outcome(
                            live ? "up" : "no_handshake",
                            live ? "up" : "down",
                            live,
                            live ? iface + " is up with a live peer" : iface + " exists but no peer has shaken hands",
                            status,
                            List.of());
                }));
    }

    /** Peers (public key, endpoint, latest handshake, bytes); {@code live} when any peer shook hands and sent bytes. */
    private ObjectNode status(PinnedSsh.Connection c, String user, String iface, List<CommandResult> done)
            throws IOException {
        String command = RemoteCommands.wireguardStatus(user, iface);
        PinnedSsh.Result r = c.run(command, TIMEOUT);
        if (done != null) {
            done.add(new CommandResult(
                    command, r.exitStatus(), "(status read: " + r.stdout().split("\n").length + " lines)"));
        }
        Map<String, List<String>> sections = RemoteCommands.sections(r.stdout());
        ObjectNode out = json.createObjectNode();
        ObjectNode peers = json.createObjectNode();
        boolean live = false;
        for (String line : sections.getOrDefault("handshakes", List.of())) {
            String[] f = line.split("\\s+");
            if (f.length == 2) {
                peers.putObject(f[0]).put("latest_handshake", number(f[1]));
            }
        }
        for (String line : sections.getOrDefault("transfer", List.of())) {
            String[] f = line.split("\\s+");
            if (f.length == 3 && peers.has(f[0])) {
                ((ObjectNode) peers.get(f[0]))
                        .put("received_bytes", Long.parseLong(f[1]))
                        .put("sent_bytes", Long.parseLong(f[2]));
            }
        }
        for (String line : sections.getOrDefault("endpoints", List.of())) {
            String[] f = line.split("\\s+");
            if (f.length == 2 && peers.has(f[0])) {
                ((ObjectNode) peers.get(f[0])).put("endpoint", f[1]);
            }
        }
        ArrayNode list = out.putArray("peers");
        var names = peers.fieldNames();
        while (names.hasNext()) {
            String key = names.next();
            ObjectNode peer = (ObjectNode) peers.get(key);
            live |= peer.path("latest_handshake").asLong() > 0
                    && peer.path("received_bytes").asLong() > 0;
            list.add(json.createObjectNode().put("public_key", key).setAll(peer));
        }
        out.put("live", live);
        return out;
    }

    private static CommandResult result(String command, PinnedSsh.Result r) {
        String output =
                SecretScanner.redactText(r.stdout() + (r.stderr().isEmpty() ? "" : "\n[stderr]\n" + r.stderr()));
        return new CommandResult(
                command, r.exitStatus(), output.length() > 4096 ? output.substring(output.length() - 4096) : output);
    }

    private static boolean modeAtMost600(String mode) {
        if (mode == null || !mode.matches("[0-7]{3,4}")) {
            return false;
        }
        int m = Integer.parseInt(mode, 8);
        return (m & ~0600) == 0;
    }

    private static int number(String v) {
        try {
            return v == null ? 0 : Integer.parseInt(v.strip());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    record Outcome(
            String outcome,
            String operationalState,
            boolean usable,
            String detail,
            ObjectNode facts,
            List<CommandResult> commands) {}

    interface Work {
        Outcome on(PinnedSsh.Connection c) throws Exception;
    }

    /** The newest stored observation of the tunnel (any operation), without touching the gateway. */
    public Uni<OperationView> lastObserved(UUID tunnelId) {
        return registry.tunnel(tunnelId)
                .map(found -> found.filter(x -> !x.deleted())
                        .orElseThrow(() -> new io.devopsconsole.platform.problem.ResourceNotFoundException(
                                "tunnel profile", tunnelId)))
                .flatMap(tunnel -> pool.preparedQuery("SELECT id, gateway_target_id, action, outcome,"
                                + " operational_state, facts::text AS facts, actor, at FROM " + table
                                + " WHERE tunnel_profile_id = $1 ORDER BY at DESC LIMIT 1")
                        .execute(Tuple.of(tunnelId))
                        .map(rows -> {
                            if (rows.size() == 0) {
                                throw new io.devopsconsole.platform.problem.ResourceNotFoundException(
                                        "tunnel observation", tunnelId);
                            }
                            io.vertx.mutiny.sqlclient.Row r = rows.iterator().next();
                            ObjectNode facts;
                            try {
                                com.fasterxml.jackson.databind.JsonNode read = json.readTree(r.getString("facts"));
                                // the driver stores a String parameter bound to jsonb as a JSON string: unwrap it
                                facts = (ObjectNode) (read.isTextual() ? json.readTree(read.textValue()) : read);
                            } catch (IOException | ClassCastException e) {
                                facts = json.createObjectNode();
                            }
                            List<CommandResult> commands = new java.util.ArrayList<>();
                            facts.path("commands")
                                    .forEach(cmd -> commands.add(new CommandResult(
                                            cmd.path("command").asText(),
                                            cmd.path("exit_code").asInt(),
                                            cmd.path("output").asText(null))));
                            facts.remove("commands");
                            String state = r.getString("operational_state");
                            return new OperationView(
                                    r.getUUID("id"),
                                    tunnelId,
                                    tunnel.name(),
                                    tunnel.interfaceName(),
                                    r.getUUID("gateway_target_id"),
                                    r.getString("action"),
                                    r.getString("outcome"),
                                    state,
                                    "up".equals(state),
                                    "last observed by " + r.getString("action") + " at " + r.getOffsetDateTime("at"),
                                    facts,
                                    commands,
                                    r.getString("actor"),
                                    r.getOffsetDateTime("at"));
                        }));
    }

    /** One SSH login for the operation; the outcome is stored and announced in one transaction. */
    private Uni<OperationView> run(Place p, String actor, String action, Work work) {
        return OnboardingService.blocking(() -> {
                    try (PinnedSsh.Connection c = ssh.open(p.endpoint())) {
                        return work.on(c);
                    }
                })
                .onFailure(PinnedSsh.HostKeyRefused.class)
                .call(f -> runs.raiseAlarm(
                        p.gateway().id(),
                        ((PinnedSsh.HostKeyRefused) f).expected(),
                        ((PinnedSsh.HostKeyRefused) f).presented()))
                .onFailure(PinnedSsh.HostKeyRefused.class)
                .transform(f -> new ConflictException("host_key", f.getMessage()))
                .onFailure(IOException.class)
                .recoverWithItem(f ->
                        new Outcome("failed", "unknown", false, f.getMessage(), json.createObjectNode(), List.of()))
                .flatMap(o -> {
                    UUID id = UUID.randomUUID();
                    ObjectNode facts = o.facts().deepCopy();
                    facts.set("commands", json.valueToTree(o.commands()));
                    TunnelStateObserved event = new TunnelStateObserved(
                            p.tunnel().id(),
                            p.tunnel().name(),
                            p.gateway().id(),
                            action,
                            o.outcome(),
                            o.operationalState(),
                            o.usable(),
                            o.detail());
                    OffsetDateTime at = OffsetDateTime.now();
                    return pool.withTransaction(c -> c.preparedQuery("INSERT INTO " + table + " (id, tunnel_profile_id,"
                                            + " gateway_target_id, action, outcome, operational_state, facts, actor, at)"
                                            + " VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9)")
                                    .execute(Tuple.from(new Object[] {
                                        id,
                                        p.tunnel().id(),
                                        p.gateway().id(),
                                        action,
                                        o.outcome(),
                                        o.operationalState(),
                                        facts.toString(),
                                        actor,
                                        at
                                    }))
                                    .flatMap(r -> outbox.recordAll(
                                            c,
                                            List.of(event),
                                            actor,
                                            io.devopsconsole.onboarding.EventRisk.of(
                                                    List.of(event), p.gateway().production()))))
                            .map(v -> new OperationView(
                                    id,
                                    p.tunnel().id(),
                                    p.tunnel().name(),
                                    p.tunnel().interfaceName(),
                                    p.gateway().id(),
                                    action,
                                    o.outcome(),
                                    o.operationalState(),
                                    o.usable(),
                                    o.detail(),
                                    o.facts(),
                                    o.commands(),
                                    actor,
                                    at));
                });
    }
}
