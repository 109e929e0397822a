package io.devopsconsole.registry.target;

import io.devopsconsole.events.DomainEvent;
import io.devopsconsole.events.registry.CodexStatusChanged;
import io.devopsconsole.events.registry.HostKeyTrusted;
import io.devopsconsole.events.registry.TargetRegistered;
import io.devopsconsole.events.registry.TargetRemoved;
import io.devopsconsole.events.registry.TargetRenamed;
import io.devopsconsole.events.registry.TargetRetired;
import io.devopsconsole.events.registry.TargetUpdated;
import io.devopsconsole.platform.api.PageResponse;
import io.devopsconsole.platform.outbox.Outbox;
import io.devopsconsole.platform.problem.ConflictException;
import io.devopsconsole.platform.problem.InvalidFieldException;
import io.devopsconsole.platform.problem.ResourceNotFoundException;
import io.devopsconsole.platform.problem.UniqueViolation;
import io.devopsconsole.platform.security.CurrentActor;
import io.devopsconsole.platform.security.Gate;
import io.devopsconsole.platform.validation.HostKeys;
import io.devopsconsole.platform.validation.HostNames;
import io.devopsconsole.registry.Clock;
import io.devopsconsole.registry.DeleteRequest;
import io.devopsconsole.registry.network.AccessPath;
import io.devopsconsole.registry.network.NetworkRuleService;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * The SSH target inventory. Lab and staging targets are changed by operators; anything that
 * touches a production target, and every removal, passes the gate (approver/admin + confirm).
 */
@ApplicationScoped
public class TargetService {

    static final String RISK = "risk";

    private final SshTargetRepository targets;
    private final NetworkRuleService rules;
    private final Outbox outbox;
    private final CurrentActor actor;

    public TargetService(SshTargetRepository targets, NetworkRuleService rules, Outbox outbox, CurrentActor actor) {
        this.targets = targets;
        this.rules = rules;
        this.outbox = outbox;
        this.actor = actor;
    }

    @WithTransaction
    public Uni<TargetApi.TargetResponse> register(SecurityIdentity who, TargetApi.RegisterTargetRequest request) {
        SshTarget.Environment environment =
                request.environment() == null ? SshTarget.Environment.lab : request.environment();
        if (environment == SshTarget.Environment.production) {
            Gate.requireApproval(who, request.confirm(), "confirm", "register a production target");
        }
        String host = HostNames.normalize(request.host());
        boolean operatorChoseNetwork =
                request.siteId() != null || request.accessPath() != null || request.tunnelProfileId() != null;
        Uni<NetworkRuleService.Resolution> network = operatorChoseNetwork
                ? Uni.createFrom()
                        .item(new NetworkRuleService.Resolution(
                                java.util.Optional.empty(),
                                request.accessPath() == null ? AccessPath.lan : request.accessPath(),
                                request.siteId(),
                                request.tunnelProfileId(),
                                "given"))
                : rules.resolve(host);
        int port = request.port() == null ? 22 : request.port();
        UUID id = UUID.randomUUID();
        return network.flatMap(n -> rules.checkReferences(n.siteId(), n.accessPath(), n.tunnelProfileId())
                        .replaceWith(n))
                .call(n -> oneEnvironmentPerEndpoint(host, port, environment, id))
                .flatMap(n -> actor.name().flatMap(name -> {
                    SshTarget target = new SshTarget(id, Clock.now(), name);
                    target.connect(
                            request.name(),
                            host,
                            port,
                            request.username() == null ? "root" : request.username(),
                            environment,
                            n.siteId(),
                            n.accessPath(),
                            n.tunnelProfileId(),
                            request.keyReference(),
                            Clock.now(),
                            name);
                    return targets.persist(target)
                            .flatMap(t -> record(new TargetRegistered(target.state()), target))
                            .flatMap(e -> targets.flush())
                            .onFailure(f -> UniqueViolation.of(f, "ssh_target_name_key"))
                            .transform(f -> nameTaken(request.name()))
                            .replaceWith(() -> TargetApi.TargetResponse.of(target));
                }));
    }

    @WithSession
    public Uni<TargetApi.TargetResponse> get(UUID id) {
        return find(id).map(TargetApi.TargetResponse::of);
    }

    @WithSession
    public Uni<PageResponse<TargetApi.TargetResponse>> list(SshTargetRepository.Filter filter, int page, int size) {
        return targets.page(filter, page, size)
                .flatMap(rows -> targets.total(filter)
                        .map(total -> PageResponse.of(rows, TargetApi.TargetResponse::of, page, size, total)));
    }

    @WithTransaction
    public Uni<TargetApi.TargetResponse> update(SecurityIdentity who, UUID id, TargetApi.UpdateTargetRequest request) {
        return find(id).flatMap(target -> {
            if (target.environment() == SshTarget.Environment.production
                    || request.environment() == SshTarget.Environment.production) {
                Gate.requireApproval(who, request.confirm(), "confirm", "change a production target");
            }
            ConflictException.requireVersion("target " + target.name(), target.version(), request.version());
            if (target.retired()) {
                throw new ConflictException("target " + target.name() + " is retired and cannot be changed");
            }
            String host = HostNames.normalize(request.host());
            List<String> changed = changes(target, request, host);
            if (changed.isEmpty()) {
                return Uni.createFrom().item(TargetApi.TargetResponse.of(target));
            }
            String previousName = target.name();
            return rules.checkReferences(request.siteId(), request.accessPath(), request.tunnelProfileId())
                    .call(ok -> oneEnvironmentPerEndpoint(host, request.port(), request.environment(), target.id()))
                    .call(ok -> target.hostKeyFingerprint() == null || !sameEndpoint(target, host, request.port())
                            ? Uni.createFrom().voidItem()
                            : oneEnvironmentPerHostKey(target.hostKeyFingerprint(), request.environment(), target.id()))
                    .flatMap(ok -> actor.name())
                    .flatMap(name -> {
                        boolean keyDropped = target.connect(
                                request.name(),
                                host,
                                request.port(),
                                request.username(),
                                request.environment(),
                                request.siteId(),
                                request.accessPath(),
                                request.tunnelProfileId(),
                                request.keyReference(),
                                Clock.now(),
                                name);
                        if (keyDropped) {
                            changed.add("trusted_host_key");
                        }
                        return targets.flush();
                    })
                    .flatMap(f -> record(
                            changed.equals(List.of("name"))
                                    ? new TargetRenamed(
                                            target.id(),
                                            previousName,
                                            target.name(),
                                            target.environment().name(),
                                            target.version())
                                    : new TargetUpdated(target.state(), changed),
                            target))
                    .flatMap(e -> targets.flush())
                    .onFailure(f -> UniqueViolation.of(f, "ssh_target_name_key"))
                    .transform(f -> nameTaken(request.name()))
                    .replaceWith(() -> TargetApi.TargetResponse.of(target));
        });
    }

    @WithTransaction
    public Uni<TargetApi.TargetResponse> retire(SecurityIdentity who, UUID id, TargetApi.RetireTargetRequest request) {
        return find(id).flatMap(target -> {
            if (target.environment() == SshTarget.Environment.production) {
                Gate.requireApproval(who, request.confirm(), "confirm", "retire a production target");
            }
            if (request.version() != null) {
                ConflictException.requireVersion("target " + target.name(), target.version(), request.version());
            }
            if (target.retired()) {
                throw new ConflictException("target " + target.name() + " is already retired");
            }
            return actor.name()
                    .flatMap(name -> {
                        target.retire(Clock.now(), name);
                        return targets.flush();
                    })
                    .flatMap(f -> record(
                            new TargetRetired(
                                    target.id(),
                                    target.name(),
                                    target.environment().name(),
                                    target.version()),
                            target))
                    .flatMap(e -> targets.flush())
                    .replaceWith(() -> TargetApi.TargetResponse.of(target));
        });
    }

    /** Removes a retired, unbound target; the event carries what was removed, so history keeps it. */
    @WithTransaction
    public Uni<Void> remove(UUID id, DeleteRequest request) {
        return find(id).flatMap(target -> {
            if (request.version() != null) {
                ConflictException.requireVersion("target " + target.name(), target.version(), request.version());
            }
            if (!target.retired()) {
                throw new ConflictException("target " + target.name() + " must be retired before it is removed");
            }
            return targets.bound(id).flatMap(bound -> {
                if (bound) {
                    throw new ConflictException(
                            "target " + target.name() + " is bound in a runtime profile; unbind it first");
                }
                return outbox.record(new TargetRemoved(target.state(), request.reason()), Map.of(RISK, "destructive"))
                        .flatMap(e -> targets.delete(target))
                        .flatMap(d -> targets.flush());
            });
        });
    }

    /** An admin's explicit trust of a host key. */
    @WithTransaction
    public Uni<TargetApi.TargetResponse> trustHostKey(UUID id, TargetApi.TrustHostKeyRequest request) {
        if (!HostKeys.TYPES.contains(request.keyType())) {
            throw new InvalidFieldException(
                    "key_type",
                    "must be one of " + HostKeys.TYPES.stream().sorted().toList());
        }
        String fingerprint = HostKeys.fingerprint(request.keyType(), request.publicKey())
                .orElseThrow(() -> new InvalidFieldException(
                        "public_key", "must be the base64 " + request.keyType() + " key blob"));
        if (request.fingerprintSha256() != null && !request.fingerprintSha256().equals(fingerprint)) {
            throw new InvalidFieldException(
                    "fingerprint_sha256", "does not match public_key (its fingerprint is " + fingerprint + ")");
        }
        return find(id).call(target -> oneEnvironmentPerHostKey(fingerprint, target.environment(), target.id()))
                .flatMap(target -> actor.name()
                        .flatMap(name -> applyTrust(
                                target,
                                request.keyType(),
                                fingerprint,
                                request.publicKey().strip(),
                                "admin",
                                name)));
    }

    /** Trust confirmed during onboarding (consumed from console.onboarding.v1); call inside a transaction. */
    public Uni<Void> trustFromOnboarding(UUID targetId, String keyType, String fingerprint, String publicKey) {
        return targets.findById(targetId).flatMap(target -> {
            if (target == null || target.retired()) {
                return Uni.createFrom().voidItem();
            }
            String computed = HostKeys.fingerprint(keyType, publicKey).orElse(null);
            if (computed == null || !computed.equals(fingerprint)) {
                throw new IllegalArgumentException("onboarding sent a host key whose fingerprint does not match");
            }
            if (fingerprint.equals(target.hostKeyFingerprint())) {
                return Uni.createFrom().voidItem();
            }
            // refused (dead-lettered, visible) rather than trusted: a lab target must not take a production host's key
            return oneEnvironmentPerHostKey(fingerprint, target.environment(), target.id())
                    .onFailure(ConflictException.class)
                    .transform(f -> new IllegalArgumentException(f.getMessage()))
                    .flatMap(ok ->
                            applyTrust(target, keyType, fingerprint, publicKey, "onboarding", actorOfOnboarding()))
                    .replaceWithVoid();
        });
    }

    /** A readiness result from onboarding; publishes CodexStatusChanged only when the status changed. */
    public Uni<Void> observeCodexStatus(UUID targetId, SshTarget.CodexStatus status) {
        return targets.findById(targetId).flatMap(target -> {
            if (target == null || target.codexStatus() == status) {
                return Uni.createFrom().voidItem();
            }
            String previous = target.codexStatus().name();
            target.codexStatus(status, Clock.now(), actorOfOnboarding());
            return targets.flush()
                    .flatMap(f -> record(
                            new CodexStatusChanged(
                                    target.id(), target.name(), previous, status.name(), target.version()),
                            target))
                    .flatMap(e -> targets.flush());
        });
    }

    private Uni<TargetApi.TargetResponse> applyTrust(
            SshTarget target, String type, String fingerprint, String publicKey, String source, String actorName) {
        target.trustHostKey(type, fingerprint, publicKey, Clock.now(), actorName);
        return targets.flush()
                .flatMap(f -> outbox.record(
                        new HostKeyTrusted(
                                target.id(),
                                target.name(),
                                type,
                                fingerprint,
                                publicKey,
                                source,
                                actorName,
                                target.version()),
                        Map.of(RISK, "destructive")))
                .flatMap(e -> targets.flush())
                .replaceWith(() -> TargetApi.TargetResponse.of(target));
    }

    /**
     * The production gate follows the machine, not the record (ADR 0019): an SSH endpoint belongs to
     * one environment among active targets, so nobody registers a lab target on a production
     * target's host and port to reach it without the gate.
     */
    private Uni<Void> oneEnvironmentPerEndpoint(String host, int port, SshTarget.Environment environment, UUID self) {
        return targets.otherEnvironmentOnEndpoint(host, port, environment, self).map(other -> {
            if (other != null) {
                throw new ConflictException(host + ":" + port + " is the SSH endpoint of " + other.environment()
                        + " target " + other.name() + "; a target on the same endpoint must be " + other.environment()
                        + " too (register it as " + other.environment() + ", or retire " + other.name() + ")");
            }
            return null;
        });
    }

    /** A host key names one machine: a target of another environment cannot trust the key a target already trusts. */
    private Uni<Void> oneEnvironmentPerHostKey(String fingerprint, SshTarget.Environment environment, UUID self) {
        return targets.otherEnvironmentWithHostKey(fingerprint, environment, self)
                .map(other -> {
                    if (other != null) {
                        throw new ConflictException(
                                "host key " + fingerprint + " is already trusted for " + other.environment()
                                        + " target " + other.name() + ": it is the same machine, so it cannot be a "
                                        + environment
                                        + " target");
                    }
                    return null;
                });
    }

    private static boolean sameEndpoint(SshTarget target, String host, int port) {
        return target.host().equalsIgnoreCase(host) && target.port() == port;
    }

    private String actorOfOnboarding() {
        return "system:onboarding-service";
    }

    private Uni<?> record(DomainEvent event, SshTarget target) {
        String risk = target.environment() == SshTarget.Environment.production ? "destructive" : "elevated";
        return outbox.record(event, Map.of(RISK, risk));
    }

    private static List<String> changes(SshTarget t, TargetApi.UpdateTargetRequest r, String host) {
        List<String> changed = new ArrayList<>();
        if (!r.name().equals(t.name())) {
            changed.add("name");
        }
        if (!host.equals(t.host())) {
            changed.add("host");
        }
        if (r.port() != t.port()) {
            changed.add("port");
        }
        if (!r.username().equals(t.username())) {
            changed.add("username");
        }
        if (r.environment() != t.environment()) {
            changed.add("environment");
        }
        if (!Objects.equals(r.siteId(), t.siteId())) {
            changed.add("site_id");
        }
        if (r.accessPath() != t.accessPath()) {
            changed.add("access_path");
        }
        if (!Objects.equals(r.tunnelProfileId(), t.tunnelProfileId())) {
            changed.add("tunnel_profile_id");
        }
        if (!Objects.equals(r.keyReference(), t.keyReference())) {
            changed.add("key_reference");
        }
        return changed;
    }

    private Uni<SshTarget> find(UUID id) {
        return targets.findById(id).onItem().ifNull().failWith(() -> new ResourceNotFoundException("SSH target", id));
    }

    private static ConflictException nameTaken(String name) {
        return new ConflictException(
                "name", "an SSH target named '" + name + "' already exists (names are case-insensitive)");
    }
}
