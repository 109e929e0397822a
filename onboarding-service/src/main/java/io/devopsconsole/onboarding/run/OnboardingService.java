package io.devopsconsole.onboarding.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.devopsconsole.events.DomainEvent;
import io.devopsconsole.events.onboarding.CodexReadinessObserved;
import io.devopsconsole.events.onboarding.HostKeyTrustConfirmed;
import io.devopsconsole.events.onboarding.OnboardingMilestone;
import io.devopsconsole.onboarding.intake.IntakeParser;
import io.devopsconsole.onboarding.inventory.RegistryClient;
import io.devopsconsole.onboarding.ssh.HostSsh;
import io.devopsconsole.onboarding.ssh.RemoteCommands;
import io.devopsconsole.platform.problem.ConflictException;
import io.devopsconsole.platform.problem.InvalidFieldException;
import io.devopsconsole.platform.security.Gate;
import io.devopsconsole.platform.ssh.PinnedSsh;
import io.devopsconsole.platform.validation.HostNames;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;

/**
 * The onboarding state machine (ARCHITECTURE.md section 7). {@link #advance} moves a run one step
 * and stops where a human must confirm, saying which confirmation; host keys are trusted only by
 * {@link #trust}; every milestone is an event. SSH work runs on worker threads.
 */
@ApplicationScoped
public class OnboardingService {

    static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");
    static final Pattern USER = Pattern.compile("[a-z_][a-z0-9_-]{0,31}");
    static final Set<String> ENVIRONMENTS = Set.of("lab", "staging", "production");
    static final Duration PROBE_TIMEOUT = Duration.ofSeconds(30);

    private final RunStore store;
    private final PlanStore plans;
    private final RegistryClient registry;
    private final io.devopsconsole.onboarding.inventory.RegistryView inventory;
    private final HostSsh ssh;
    private final ObjectMapper json;

    public OnboardingService(
            RunStore store,
            PlanStore plans,
            RegistryClient registry,
            io.devopsconsole.onboarding.inventory.RegistryView inventory,
            HostSsh ssh,
            ObjectMapper json) {
        this.store = store;
        this.inventory = inventory;
        this.plans = plans;
        this.registry = registry;
        this.ssh = ssh;
        this.json = json;
    }

    // ---- intake -------------------------------------------------------------------------------

    public Uni<OnboardingApi.RunView> start(
            OnboardingApi.IntakeRequest req, SecurityIdentity who, String actor, String token) {
        if (req == null) {
            throw new InvalidFieldException("(body)", "send a request sentence or the host and name fields");
        }
        if (req.targetId() != null) {
            return again(req, who, actor);
        }
        IntakeParser.Extracted said = null;
        if (req.request() != null) {
            try {
                said = IntakeParser.parse(req.request());
            } catch (IllegalArgumentException e) {
                throw fieldError(e);
            }
        }
        ObjectNode fields = json.createObjectNode();
        String host = pick(fields, "host", req.host(), said == null ? null : said.host(), said, null, null);
        if (host == null) {
            throw new InvalidFieldException(
                    "host",
                    "which server should be onboarded? Give its address or DNS name"
                            + " (for example \"it's at 10.76.22.150\")");
        }
        if (!HostNames.isValid(host.strip())) {
            throw new InvalidFieldException("host", "must be an IPv4 or IPv6 address or a DNS name");
        }
        host = HostNames.normalize(host.strip());
        String name = pick(fields, "name", req.name(), said == null ? null : said.name(), said, null, null);
        if (name == null) {
            throw new InvalidFieldException(
                    "name",
                    "what should " + host + " be called in the inventory? Send the request"
                            + " again with a name (for example \"..., call it web-01\")");
        }
        if (!NAME.matcher(name).matches()) {
            throw new InvalidFieldException(
                    "name", "must be 1-63 letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
        String user = pick(
                fields,
                "user",
                req.user(),
                said == null ? null : said.user(),
                said,
                "root",
                "no SSH user was given: the default");
        if (!USER.matcher(user).matches()) {
            throw new InvalidFieldException(
                    "user", "must be a POSIX user name (lower-case letters, digits, '_' or '-')");
        }
        String portText = pick(
                fields,
                "port",
                req.port() == null ? null : req.port().toString(),
                said == null || said.port() == null ? null : said.port().toString(),
                said,
                "22",
                "no SSH port was given: the default");
        int port = Integer.parseInt(portText);
        fields.with("port").put("value", port);
        String environment = pick(
                fields,
                "environment",
                req.environment(),
                said == null ? null : said.environment(),
                said,
                "lab",
                "no environment was given: the default");
        if (!ENVIRONMENTS.contains(environment)) {
            throw new InvalidFieldException("environment", "must be lab, staging or production");
        }
        if (req.accessPath() != null && !Set.of("lan", "tunnel").contains(req.accessPath())) {
            throw new InvalidFieldException("access_path", "must be lan or tunnel");
        }
        if ("production".equals(environment)) {
            Gate.requireApproval(who, req.confirmProduction(), "confirm_production", "onboard a production server");
        }
        String finalHost = host;
        boolean operatorChoseNetwork =
                req.siteId() != null || req.accessPath() != null || req.tunnelProfileId() != null;
        Uni<JsonNode> network = operatorChoseNetwork ? Uni.createFrom().nullItem() : registry.resolve(finalHost, token);
        // a site or tunnel the request names must exist: nothing is stored for ids the registry does not have
        Uni<Void> named = Uni.createFrom().voidItem();
        if (req.siteId() != null) {
            named = named.call(() -> registry.exists("/api/sites/" + req.siteId(), token, "site lookup")
                    .invoke(found -> {
                        if (!found) {
                            throw new InvalidFieldException("site_id", "no such site in the registry");
                        }
                    }));
        }
        if (req.tunnelProfileId() != null) {
            named = named.call(() -> registry.exists("/api/tunnels/" + req.tunnelProfileId(), token, "tunnel lookup")
                    .invoke(found -> {
                        if (!found) {
                            throw new InvalidFieldException(
                                    "tunnel_profile_id", "no such tunnel profile in the registry");
                        }
                    }));
        }
        return named.flatMap(checked -> network)
                .flatMap(resolved -> {
                    UUID siteId = req.siteId();
                    String access = req.accessPath() == null ? "lan" : req.accessPath();
                    UUID tunnel = req.tunnelProfileId();
                    ObjectNode net = fields.putObject("network");
                    if (resolved != null) {
                        siteId = uuid(resolved.path("site_id"));
                        access = resolved.path("access_path").asText("lan");
                        tunnel = uuid(resolved.path("tunnel_profile_id"));
                        net.put("source", "inferred")
                                .put("reason", resolved.path("reason").asText())
                                .put("site_name", resolved.path("site_name").asText(null))
                                .put(
                                        "tunnel_profile_name",
                                        resolved.path("tunnel_profile_name").asText(null))
                                .put(
                                        "matched_cidr",
                                        resolved.path("matched_cidr").asText(null));
                    } else {
                        net.put("source", "given")
                                .put(
                                        "reason",
                                        "the request named the site, access path or tunnel;"
                                                + " network rules were not consulted");
                    }
                    net.put("site_id", siteId == null ? null : siteId.toString())
                            .put("access_path", access)
                            .put("tunnel_profile_id", tunnel == null ? null : tunnel.toString());
                    ObjectNode intake = json.createObjectNode();
                    intake.put("request", req.request());
                    intake.set("fields", fields);
                    OffsetDateTime now = OffsetDateTime.now().truncatedTo(ChronoUnit.MICROS);
                    Run run = new Run(
                            UUID.randomUUID(),
                            Run.INTAKE,
                            null,
                            name,
                            finalHost,
                            port,
                            user,
                            environment,
                            siteId,
                            access,
                            tunnel,
                            intake,
                            null,
                            null,
                            null,
                            null,
                            null,
                            "advance: register the target and read its host key",
                            null,
                            0,
                            actor,
                            now,
                            now,
                            null,
                            0);
                    RunStore.Step step = new RunStore.Step(
                            "intake",
                            "ok",
                            Run.INTAKE,
                            Run.INTAKE,
                            "intake of " + name + " at " + user + "@" + finalHost + ":" + port + " (" + environment
                                    + ")",
                            intake,
                            null);
                    return store.insert(
                            run,
                            step,
                            List.of(milestone(run, null, "started", "onboarding of " + name + " started")),
                            actor);
                })
                .flatMap(this::view);
    }

    /** A run for a target the registry already has: its data from the registry, no registration step. */
    private Uni<OnboardingApi.RunView> again(OnboardingApi.IntakeRequest req, SecurityIdentity who, String actor) {
        if (req.request() != null
                || req.host() != null
                || req.name() != null
                || req.user() != null
                || req.port() != null
                || req.environment() != null
                || req.siteId() != null
                || req.accessPath() != null
                || req.tunnelProfileId() != null) {
            throw new InvalidFieldException(
                    "target_id", "with target_id the registry's data is used: send no other fields");
        }
        return inventory
                .target(req.targetId())
                .flatMap(found -> {
                    var t = found.filter(x -> !x.removed())
                            .orElseThrow(
                                    () -> new InvalidFieldException("target_id", "no such target in the inventory"));
                    if (t.retired()) {
                        throw new InvalidFieldException("target_id", "target " + t.name() + " is retired");
                    }
                    if (t.production()) {
                        Gate.requireApproval(
                                who, req.confirmProduction(), "confirm_production", "onboard a production server");
                    }
                    ObjectNode fields = json.createObjectNode();
                    for (String f : List.of("host", "name", "user", "port", "environment")) {
                        fields.putObject(f)
                                .put("source", "registry")
                                .put("reason", "target " + t.id() + " in the registry");
                    }
                    fields.with("host").put("value", t.host());
                    fields.with("name").put("value", t.name());
                    fields.with("user").put("value", t.username());
                    fields.with("port").put("value", t.port());
                    fields.with("environment").put("value", t.environment());
                    ObjectNode intake = json.createObjectNode();
                    intake.putNull("request");
                    intake.set("fields", fields);
                    OffsetDateTime now = OffsetDateTime.now().truncatedTo(ChronoUnit.MICROS);
                    Run run = new Run(
                            UUID.randomUUID(),
                            Run.INTAKE,
                            t.id(),
                            t.name(),
                            t.host(),
                            t.port(),
                            t.username(),
                            t.environment(),
                            null,
                            "lan",
                            null,
                            intake,
                            null,
                            null,
                            null,
                            null,
                            null,
                            "advance: read the host key",
                            null,
                            0,
                            actor,
                            now,
                            now,
                            null,
                            0);
                    RunStore.Step step = new RunStore.Step(
                            "intake",
                            "ok",
                            Run.INTAKE,
                            Run.INTAKE,
                            "onboarding of registered target " + t.name() + " (" + t.username() + "@" + t.host() + ":"
                                    + t.port() + ") again",
                            intake,
                            null);
                    return store.insert(run, step, List.of(milestone(run, null, "started", step.detail())), actor);
                })
                .flatMap(this::view);
    }

    /** Value from the structured field, else from the sentence, else the default; records where it came from. */
    private String pick(
            ObjectNode fields,
            String field,
            String given,
            String extracted,
            IntakeParser.Extracted said,
            String fallback,
            String fallbackReason) {
        ObjectNode f = json.createObjectNode();
        String value;
        if (given != null && !given.isBlank()) {
            value = given.strip();
            f.put("source", "given").put("reason", "the request's " + field + " field");
        } else if (extracted != null) {
            value = extracted;
            f.put("source", "extracted")
                    .put("reason", "from \"" + said.evidence().getOrDefault(field, extracted) + "\"");
        } else if (fallback != null) {
            value = fallback;
            f.put("source", "default").put("reason", fallbackReason);
        } else {
            return null;
        }
        f.put("value", value);
        fields.set(field, f);
        return value;
    }

    private static InvalidFieldException fieldError(IllegalArgumentException e) {
        String message = e.getMessage() == null ? "request: cannot be read" : e.getMessage();
        int colon = message.indexOf(": ");
        return colon > 0
                ? new InvalidFieldException(message.substring(0, colon), message.substring(colon + 2))
                : new InvalidFieldException("request", message);
    }

    private static UUID uuid(JsonNode node) {
        return node == null
                        || node.isNull()
                        || node.isMissingNode()
                        || node.asText().isEmpty()
                ? null
                : UUID.fromString(node.asText());
    }

    // ---- advance -------------------------------------------------------------------------------

    /** How long an advance's claim on a run holds when its replica dies mid-step (longer than any one step). */
    static final Duration ADVANCE_CLAIM = Duration.ofMinutes(2);

    public Uni<OnboardingApi.RunView> advance(UUID id, String actor, String token) {
        return store.get(id)
                .flatMap(run -> switch (run.state()) {
                    case Run.INTAKE ->
                        claimed(
                                run,
                                actor,
                                () -> run.targetId() != null
                                        ? discoverAndSave(
                                                run.withState(Run.HOST_KEY_PENDING, null, null),
                                                List.of(),
                                                List.of(),
                                                actor)
                                        : register(run, actor, token));
                    case Run.HOST_KEY_PENDING -> claimed(run, actor, () -> discover(run, actor));
                    case Run.PROBING -> claimed(run, actor, () -> probe(run, actor));
                    case Run.READINESS_CHECKED -> claimed(run, actor, () -> plan(run, actor));
                    case Run.INSTALL_PLAN_PENDING, Run.INSTALLING, Run.AUTH_REQUIRED, Run.AUTH_PROVISIONING ->
                        Uni.createFrom().item(run);
                    default ->
                        throw new ConflictException(
                                "state", "run " + id + " is " + run.state() + ": nothing to advance");
                })
                .flatMap(this::view);
    }

    /**
     * One step's work under the run's claim: a second advance meanwhile (any replica) is a 409, not a
     * second step. Once claimed, the step runs to its end (saved, or released on failure) whatever the
     * caller does: a client that disconnects mid-step cancels only its wait, never the step, so no claim
     * is left held and no remote work is cut off half-way.
     */
    private Uni<Run> claimed(Run run, String actor, java.util.function.Supplier<Uni<Run>> step) {
        return store.claim(run, actor, ADVANCE_CLAIM).flatMap(v -> {
            java.util.concurrent.CompletableFuture<Run> done = new java.util.concurrent.CompletableFuture<>();
            Uni.createFrom()
                    .<Run>deferred(step::get)
                    .onFailure()
                    .call(f -> store.release(run.id()).onFailure().recoverWithNull())
                    .subscribe()
                    .with(done::complete, done::completeExceptionally);
            return Uni.createFrom().completionStage(done);
        });
    }

    private Uni<Run> register(Run run, String actor, String token) {
        ObjectNode body = json.createObjectNode()
                .put("name", run.targetName())
                .put("host", run.host())
                .put("port", run.port())
                .put("username", run.username())
                .put("environment", run.environment())
                .put("access_path", run.accessPath());
        if (run.siteId() != null) {
            body.put("site_id", run.siteId().toString());
        }
        if (run.tunnelProfileId() != null) {
            body.put("tunnel_profile_id", run.tunnelProfileId().toString());
        }
        if (run.production()) {
            body.put("confirm", true);
        }
        return registry.registerTarget(body, token).flatMap(target -> {
            UUID targetId = UUID.fromString(target.path("id").asText());
            Run registered = run.withTarget(targetId);
            RunStore.Step step = new RunStore.Step(
                    "target_registered",
                    "ok",
                    Run.INTAKE,
                    Run.HOST_KEY_PENDING,
                    "registered " + run.targetName() + " in the registry as " + targetId,
                    null,
                    null);
            return discoverAndSave(
                    registered.withState(Run.HOST_KEY_PENDING, null, null),
                    List.of(step),
                    List.of(milestone(registered, null, "target_registered", step.detail())),
                    actor);
        });
    }

    private Uni<Run> discover(Run run, String actor) {
        return discoverAndSave(run, List.of(), List.of(), actor);
    }

    /** Reads the host key the host presents and records it; the run then waits for confirm_trust. */
    private Uni<Run> discoverAndSave(Run run, List<RunStore.Step> before, List<DomainEvent> events, String actor) {
        long started = System.nanoTime();
        return blocking(() -> ssh.discover(run.host(), run.port()))
                .map(key -> {
                    Run seen = run.withPresented(key.type(), key.publicKey(), key.fingerprint())
                            .withConnections(1)
                            .withState(
                                    Run.HOST_KEY_PENDING,
                                    "confirm_trust: the host presents " + key.type() + " "
                                            + key.fingerprint()
                                            + "; compare it out of band, then POST .../host-key/trust with"
                                            + " {\"confirm_trust\": true, \"fingerprint_sha256\": \""
                                            + key.fingerprint() + "\"}",
                                    null);
                    List<RunStore.Step> steps = new ArrayList<>(before);
                    steps.add(new RunStore.Step(
                            "host_key_discovered",
                            "waiting",
                            run.state(),
                            Run.HOST_KEY_PENDING,
                            "the host presents " + key.type() + " " + key.fingerprint(),
                            json.createObjectNode()
                                    .put("key_type", key.type())
                                    .put("fingerprint_sha256", key.fingerprint()),
                            ms(started)));
                    List<DomainEvent> all = new ArrayList<>(events);
                    all.add(milestone(seen, null, "host_key_discovered", "presented " + key.fingerprint()));
                    return new Change(seen, steps, all);
                })
                .onFailure(IOException.class)
                .recoverWithItem(f -> {
                    Run unreachable = run.withConnections(1)
                            .withState(
                                    Run.HOST_KEY_PENDING,
                                    "advance: try reading the host key again once the host answers",
                                    f.getMessage());
                    List<RunStore.Step> steps = new ArrayList<>(before);
                    steps.add(new RunStore.Step(
                            "host_key_discovered",
                            "failed",
                            run.state(),
                            Run.HOST_KEY_PENDING,
                            f.getMessage(),
                            null,
                            ms(started)));
                    return new Change(unreachable, steps, events);
                })
                .flatMap(c -> store.save(c.run(), c.steps(), c.events(), actor));
    }

    record Change(Run run, List<RunStore.Step> steps, List<DomainEvent> events) {}

    // ---- trust ---------------------------------------------------------------------------------

    /** What the host presents now, beside what the run recorded and trusted. One SSH key exchange, no login. */
    public Uni<OnboardingApi.HostKeyReport> hostKey(UUID id) {
        return store.get(id)
                .flatMap(run -> blocking(() -> ssh.discover(run.host(), run.port()))
                        .onFailure(IOException.class)
                        .transform(f -> new ConflictException("host", f.getMessage()))
                        .map(key -> new OnboardingApi.HostKeyReport(
                                new OnboardingApi.HostKeyView(key.type(), key.publicKey(), key.fingerprint()),
                                run.presentedFingerprint() == null
                                        ? null
                                        : new OnboardingApi.HostKeyView(
                                                run.presentedKeyType(),
                                                run.presentedPublicKey(),
                                                run.presentedFingerprint()),
                                run.trustedFingerprint() == null
                                        ? null
                                        : new OnboardingApi.HostKeyView(
                                                run.trustedPublicKey().split(" ")[0],
                                                run.trustedPublicKey(),
                                                run.trustedFingerprint()),
                                key.fingerprint().equals(run.presentedFingerprint()),
                                key.fingerprint().equals(run.trustedFingerprint()))));
    }

    /**
     * Trusts the key the run showed the operator, if the host still presents exactly that key (and,
     * when given, it has the fingerprint the operator compared). Production needs an approver.
     */
    public Uni<OnboardingApi.RunView> trust(
            UUID id, OnboardingApi.TrustRequest req, SecurityIdentity who, String actor) {
        Gate.requireConfirmed(req == null ? null : req.confirmTrust(), "confirm_trust", "trust this host key");
        return store.get(id)
                .flatMap(run -> {
                    if (!Run.HOST_KEY_PENDING.equals(run.state())) {
                        throw new ConflictException(
                                "state", "run " + id + " is " + run.state() + ", not waiting for host-key trust");
                    }
                    if (run.production()) {
                        Gate.requireApproval(
                                who, req.confirmTrust(), "confirm_trust", "trust the host key of a production server");
                    }
                    if (run.presentedFingerprint() == null) {
                        throw new ConflictException("state", "no host key was read yet: advance the run first");
                    }
                    if (req.fingerprintSha256() != null
                            && !req.fingerprintSha256().equals(run.presentedFingerprint())) {
                        throw new InvalidFieldException(
                                "fingerprint_sha256",
                                "is not the fingerprint the host presented (" + run.presentedFingerprint() + ")");
                    }
                    long started = System.nanoTime();
                    return blocking(() -> ssh.discover(run.host(), run.port()))
                            .onFailure(IOException.class)
                            .transform(f -> new ConflictException("host", f.getMessage()))
                            .flatMap(now -> {
                                if (!now.fingerprint().equals(run.presentedFingerprint())) {
                                    throw new ConflictException(
                                            "fingerprint_sha256",
                                            "the host now presents " + now.fingerprint() + ", not the key shown ("
                                                    + run.presentedFingerprint() + "): read the host key again");
                                }
                                Run trusted = run.withTrusted(now.fingerprint(), now.publicKey())
                                        .withConnections(1)
                                        .withState(Run.PROBING, "advance: probe the host", null);
                                RunStore.Step step = new RunStore.Step(
                                        "host_key_trusted",
                                        "ok",
                                        Run.HOST_KEY_PENDING,
                                        Run.PROBING,
                                        actor + " trusted " + now.type() + " " + now.fingerprint(),
                                        null,
                                        ms(started));
                                String blob = now.publicKey().split(" ")[1];
                                List<DomainEvent> events = List.of(
                                        new HostKeyTrustConfirmed(
                                                run.targetId(), run.id(), now.type(), now.fingerprint(), blob),
                                        milestone(trusted, null, "host_key_trusted", step.detail()));
                                // a new trust clears a host-key alarm of the target, in the same transaction
                                return store.save(trusted, List.of(step), events, actor, run.targetId());
                            });
                })
                .flatMap(this::view);
    }

    // ---- probe and readiness -------------------------------------------------------------------

    /** Probe and readiness over one SSH login; the host key must still be the trusted one. */
    private Uni<Run> probe(Run run, String actor) {
        long started = System.nanoTime();
        return checkAlarm(run)
                .flatMap(ok -> endpointOf(run))
                .flatMap(endpoint -> blocking(() -> {
                    try (PinnedSsh.Connection c = ssh.open(endpoint)) {
                        PinnedSsh.Result probe = c.run(RemoteCommands.PROBE, PROBE_TIMEOUT);
                        PinnedSsh.Result readiness = c.run(RemoteCommands.READINESS, PROBE_TIMEOUT);
                        return new PinnedSsh.Result[] {probe, readiness};
                    }
                }))
                .flatMap(results -> {
                    Map<String, String> probe = RemoteCommands.facts(results[0].stdout());
                    Map<String, String> ready = RemoteCommands.facts(results[1].stdout());
                    Readiness r = Readiness.of(ready);
                    Run checked = run.withConnections(1)
                            .withState(
                                    Run.READINESS_CHECKED,
                                    r.complete()
                                            ? "advance: nothing to install; the target then needs Codex auth"
                                            : "advance: propose the install plan",
                                    null);
                    List<RunStore.Step> steps = List.of(
                            new RunStore.Step(
                                    "probe",
                                    results[0].ok() ? "ok" : "failed",
                                    Run.PROBING,
                                    Run.PROBING,
                                    "hostname " + probe.get("hostname") + ", user " + probe.get("whoami")
                                            + ", directory " + probe.get("pwd") + ", codex "
                                            + orMissing(probe.get("codex")),
                                    json.valueToTree(probe),
                                    null),
                            new RunStore.Step(
                                    "readiness",
                                    "ok",
                                    Run.PROBING,
                                    Run.READINESS_CHECKED,
                                    r.summary(),
                                    r.facts(json),
                                    ms(started)));
                    List<DomainEvent> events = List.of(
                            new CodexReadinessObserved(run.targetId(), run.id(), r.codexStatus(), r.codexVersion()),
                            milestone(checked, null, "probed", steps.get(0).detail()),
                            milestone(checked, null, "readiness_checked", r.summary()));
                    return store.save(checked, steps, events, actor);
                })
                .onFailure(PinnedSsh.HostKeyRefused.class)
                .recoverWithUni(f -> hostKeyChanged(run, (PinnedSsh.HostKeyRefused) f, actor))
                .onFailure(IOException.class)
                .recoverWithUni(f -> stepFailed(
                        run,
                        "probe",
                        f.getMessage(),
                        "advance: probe again once the host answers",
                        actor,
                        ms(started)));
    }

    private static String orMissing(String v) {
        return v == null || v.isEmpty() ? "missing" : v;
    }

    private Uni<Run> plan(Run run, String actor) {
        return store.steps(run.id()).flatMap(steps -> {
            JsonNode facts = steps.stream()
                    .filter(s -> "readiness".equals(s.step()))
                    .reduce((a, b) -> b)
                    .map(OnboardingApi.StepView::facts)
                    .orElseThrow(() -> new ConflictException("state", "no readiness result yet"));
            Readiness r = Readiness.fromFacts(facts);
            if (r.complete()) {
                Run next = run.withState(Run.AUTH_REQUIRED, authWaiting(), null);
                RunStore.Step step = new RunStore.Step(
                        "install_not_needed",
                        "ok",
                        Run.READINESS_CHECKED,
                        Run.AUTH_REQUIRED,
                        "node, npm, codex and bubblewrap are present: nothing to install",
                        null,
                        null);
                return store.save(
                        next,
                        List.of(step),
                        List.of(milestone(next, null, "install_not_needed", step.detail())),
                        actor);
            }
            return plans.propose(run, r.advisory(), RemoteCommands.installSequence(run.username()), actor)
                    .flatMap(planId -> {
                        Run next = run.withState(
                                Run.INSTALL_PLAN_PENDING,
                                "approve: install plan " + planId + " waits for a decision (approve or reject it;"
                                        + " an approved plan runs when it is executed)",
                                null);
                        RunStore.Step step = new RunStore.Step(
                                "plan_proposed",
                                "waiting",
                                Run.READINESS_CHECKED,
                                Run.INSTALL_PLAN_PENDING,
                                "install plan " + planId + " proposed: " + r.advisory(),
                                null,
                                null);
                        return store.save(
                                next,
                                List.of(step),
                                List.of(milestone(next, planId, "plan_proposed", step.detail())),
                                actor);
                    });
        });
    }

    public static String authWaiting() {
        return "auth: lease a Codex auth slot to this target, then provision it (its auth.json is written there)";
    }

    // ---- cancel, failure -----------------------------------------------------------------------

    public Uni<OnboardingApi.RunView> cancel(UUID id, String actor) {
        return store.get(id)
                .flatMap(run -> {
                    if (run.finished()) {
                        throw new ConflictException("state", "run " + id + " is already " + run.state());
                    }
                    if (Run.INSTALLING.equals(run.state())) {
                        throw new ConflictException("state", "run " + id + " is installing: wait until the plan ends");
                    }
                    Run cancelled = run.withState(Run.CANCELLED, null, "cancelled by " + actor);
                    RunStore.Step step = new RunStore.Step(
                            "cancelled", "ok", run.state(), Run.CANCELLED, "cancelled by " + actor, null, null);
                    return plans.cancelOpen(run.id(), actor)
                            .flatMap(v -> store.save(
                                    cancelled,
                                    List.of(step),
                                    List.of(milestone(cancelled, null, "cancelled", step.detail())),
                                    actor));
                })
                .flatMap(this::view);
    }

    /** The host presented another key: the run fails and the target is stopped until re-trusted. */
    public Uni<Run> hostKeyChanged(Run run, PinnedSsh.HostKeyRefused f, String actor) {
        Run failed = run.withConnections(1).withState(Run.FAILED, null, f.getMessage());
        RunStore.Step step = new RunStore.Step(
                "host_key_changed",
                "refused",
                run.state(),
                Run.FAILED,
                f.getMessage(),
                json.createObjectNode().put("trusted", f.expected()).put("presented", f.presented()),
                null);
        Uni<Void> alarm = run.targetId() == null
                ? Uni.createFrom().voidItem()
                : store.raiseAlarm(run.targetId(), f.expected(), f.presented());
        return alarm.flatMap(v -> plans.cancelOpen(run.id(), actor))
                .flatMap(v -> store.save(
                        failed,
                        List.of(step),
                        List.of(
                                milestone(failed, null, "host_key_changed", f.getMessage()),
                                milestone(failed, null, "failed", f.getMessage())),
                        actor));
    }

    private Uni<Run> stepFailed(
            Run run, String stepName, String message, String waiting, String actor, long durationMs) {
        Run kept = run.withConnections(1).withState(run.state(), waiting, message);
        RunStore.Step step = new RunStore.Step(stepName, "failed", run.state(), run.state(), message, null, durationMs);
        return store.save(kept, List.of(step), List.of(milestone(kept, null, stepName + "_failed", message)), actor);
    }

    public Uni<Void> checkAlarm(Run run) {
        return store.alarm(run.targetId()).map(alarm -> {
            alarm.ifPresent(message -> {
                throw new ConflictException("host_key", message);
            });
            return null;
        });
    }

    // ---- views ---------------------------------------------------------------------------------

    public Uni<OnboardingApi.RunView> get(UUID id) {
        return store.get(id).flatMap(this::view);
    }

    public Uni<io.devopsconsole.platform.api.PageResponse<OnboardingApi.RunView>> list(
            String state, String namePrefix, UUID targetId, int page, int size) {
        if (state != null && !Run.STATES.contains(state)) {
            throw new InvalidFieldException("state", "must be one of " + new java.util.TreeSet<>(Run.STATES));
        }
        return store.list(state, namePrefix, targetId, page, size)
                .map(p -> new io.devopsconsole.platform.api.PageResponse<>(
                        p.runs().stream().map(r -> view(r, null, null)).toList(), page, size, p.total()));
    }

    Uni<OnboardingApi.RunView> view(Run run) {
        return store.steps(run.id()).flatMap(steps -> plans.latestOf(run.id()).map(plan -> view(run, steps, plan)));
    }

    private OnboardingApi.RunView view(Run run, List<OnboardingApi.StepView> steps, UUID planId) {
        JsonNode probe = null;
        JsonNode readiness = null;
        if (steps != null) {
            for (OnboardingApi.StepView s : steps) {
                if ("probe".equals(s.step()) && s.facts() != null) {
                    probe = s.facts();
                }
                if ("readiness".equals(s.step()) && s.facts() != null) {
                    readiness = s.facts();
                }
            }
        }
        return new OnboardingApi.RunView(
                run.id(),
                run.state(),
                run.targetId(),
                run.targetName(),
                run.host(),
                run.port(),
                run.username(),
                run.environment(),
                run.siteId(),
                run.accessPath(),
                run.tunnelProfileId(),
                run.intake(),
                run.presentedFingerprint() == null
                        ? null
                        : new OnboardingApi.HostKeyView(
                                run.presentedKeyType(), run.presentedPublicKey(), run.presentedFingerprint()),
                run.trustedFingerprint() == null
                        ? null
                        : new OnboardingApi.HostKeyView(
                                run.trustedPublicKey().split(" ")[0], run.trustedPublicKey(), run.trustedFingerprint()),
                run.waitingFor(),
                run.failure(),
                planId,
                probe,
                readiness,
                run.sshConnections(),
                run.createdBy(),
                run.createdAt(),
                run.updatedAt(),
                run.finishedAt(),
                run.version(),
                steps);
    }

    // ---- helpers -------------------------------------------------------------------------------

    /**
     * How onboarding logs in to the run's host: with the target's override key when the registry
     * names one (only for a target of the key's environment), otherwise the control-plane identity.
     */
    public Uni<PinnedSsh.Endpoint> endpointOf(Run run) {
        if (run.targetId() == null) {
            return Uni.createFrom().item(endpoint(run));
        }
        return inventory
                .target(run.targetId())
                .map(target -> target.filter(t -> t.keyReference() != null)
                        .map(t -> new PinnedSsh.Endpoint(
                                run.targetName(),
                                run.host(),
                                run.port(),
                                run.username(),
                                run.trustedPublicKey(),
                                run.trustedFingerprint(),
                                t.keySource(),
                                t.keyReference(),
                                t.environment()))
                        .orElseGet(() -> endpoint(run)));
    }

    public static PinnedSsh.Endpoint endpoint(Run run) {
        return new PinnedSsh.Endpoint(
                run.targetName(),
                run.host(),
                run.port(),
                run.username(),
                run.trustedPublicKey(),
                run.trustedFingerprint());
    }

    public static OnboardingMilestone milestone(Run run, UUID planId, String milestone, String detail) {
        return new OnboardingMilestone(
                run.id(), run.targetId(), run.targetName(), planId, milestone, run.state(), detail);
    }

    public static <T> Uni<T> blocking(Callable<T> work) {
        return Uni.createFrom()
                .item(() -> {
                    try {
                        return work.call();
                    } catch (RuntimeException e) {
                        throw e;
                    } catch (Exception e) {
                        throw new java.util.concurrent.CompletionException(e);
                    }
                })
                .onFailure(java.util.concurrent.CompletionException.class)
                .transform(Throwable::getCause)
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }

    static long ms(long startedNanos) {
        return (System.nanoTime() - startedNanos) / 1_000_000;
    }
}
