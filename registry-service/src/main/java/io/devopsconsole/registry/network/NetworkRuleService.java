package io.devopsconsole.registry.network;

import io.devopsconsole.events.registry.NetworkRuleDeleted;
import io.devopsconsole.events.registry.NetworkRuleUpdated;
import io.devopsconsole.platform.api.PageResponse;
import io.devopsconsole.platform.outbox.Outbox;
import io.devopsconsole.platform.problem.ConflictException;
import io.devopsconsole.platform.problem.InvalidFieldException;
import io.devopsconsole.platform.problem.ResourceNotFoundException;
import io.devopsconsole.platform.problem.UniqueViolation;
import io.devopsconsole.platform.validation.Cidr;
import io.devopsconsole.platform.validation.HostNames;
import io.devopsconsole.registry.Clock;
import io.devopsconsole.registry.DeleteRequest;
import io.devopsconsole.registry.Inputs;
import io.devopsconsole.registry.site.SiteRepository;
import io.devopsconsole.registry.tunnel.TunnelProfileRepository;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

@ApplicationScoped
public class NetworkRuleService {

    private final NetworkRuleRepository rules;
    private final SiteRepository sites;
    private final TunnelProfileRepository tunnels;
    private final Outbox outbox;

    public NetworkRuleService(
            NetworkRuleRepository rules, SiteRepository sites, TunnelProfileRepository tunnels, Outbox outbox) {
        this.rules = rules;
        this.sites = sites;
        this.tunnels = tunnels;
        this.outbox = outbox;
    }

    /** A host's defaults from the most specific matching rule; names get none (rules are CIDRs). */
    public record Resolution(
            Optional<NetworkRule> rule, AccessPath accessPath, UUID siteId, UUID tunnelProfileId, String reason) {}

    @WithTransaction
    public Uni<NetworkRuleApi.RuleResponse> create(NetworkRuleApi.CreateRuleRequest request) {
        Cidr cidr = parse(request.cidr());
        return checkReferences(request.siteId(), request.accessPath(), request.tunnelProfileId())
                .flatMap(ok -> {
                    NetworkRule rule = new NetworkRule(UUID.randomUUID(), Clock.now());
                    rule.set(
                            cidr.canonical(),
                            cidr.prefixLength(),
                            request.siteId(),
                            request.accessPath(),
                            request.tunnelProfileId(),
                            Inputs.blankToNull(request.description()),
                            Clock.now());
                    return rules.persist(rule)
                            .flatMap(r -> outbox.record(rule.created()))
                            .flatMap(e -> rules.flush())
                            .onFailure(f -> UniqueViolation.of(f, "network_rule_cidr_key"))
                            .transform(f -> cidrTaken(cidr))
                            .replaceWith(() -> NetworkRuleApi.RuleResponse.of(rule));
                });
    }

    @WithSession
    public Uni<NetworkRuleApi.RuleResponse> get(UUID id) {
        return find(id).map(NetworkRuleApi.RuleResponse::of);
    }

    @WithSession
    public Uni<PageResponse<NetworkRuleApi.RuleResponse>> list(UUID siteId, int page, int size) {
        return rules.page(siteId, page, size)
                .flatMap(rows -> rules.total(siteId)
                        .map(total -> PageResponse.of(rows, NetworkRuleApi.RuleResponse::of, page, size, total)));
    }

    @WithTransaction
    public Uni<NetworkRuleApi.RuleResponse> update(UUID id, NetworkRuleApi.UpdateRuleRequest request) {
        Cidr cidr = parse(request.cidr());
        return find(id).flatMap(rule -> {
            ConflictException.requireVersion("network rule " + rule.cidr(), rule.version(), request.version());
            return checkReferences(request.siteId(), request.accessPath(), request.tunnelProfileId())
                    .flatMap(ok -> {
                        String description = Inputs.blankToNull(request.description());
                        List<String> changed = new ArrayList<>();
                        if (!cidr.canonical().equals(rule.cidr())) {
                            changed.add("cidr");
                        }
                        if (!Objects.equals(request.siteId(), rule.siteId())) {
                            changed.add("site_id");
                        }
                        if (request.accessPath() != rule.accessPath()) {
                            changed.add("access_path");
                        }
                        if (!Objects.equals(request.tunnelProfileId(), rule.tunnelProfileId())) {
                            changed.add("tunnel_profile_id");
                        }
                        if (!Objects.equals(description, rule.description())) {
                            changed.add("description");
                        }
                        if (changed.isEmpty()) {
                            return Uni.createFrom().item(NetworkRuleApi.RuleResponse.of(rule));
                        }
                        rule.set(
                                cidr.canonical(),
                                cidr.prefixLength(),
                                request.siteId(),
                                request.accessPath(),
                                request.tunnelProfileId(),
                                description,
                                Clock.now());
                        return rules.flush()
                                .flatMap(f -> outbox.record(new NetworkRuleUpdated(
                                        rule.id(),
                                        rule.cidr(),
                                        rule.siteId(),
                                        rule.accessPath().name(),
                                        rule.tunnelProfileId(),
                                        rule.description(),
                                        rule.version(),
                                        changed)))
                                .flatMap(e -> rules.flush())
                                .onFailure(f -> UniqueViolation.of(f, "network_rule_cidr_key"))
                                .transform(f -> cidrTaken(cidr))
                                .replaceWith(() -> NetworkRuleApi.RuleResponse.of(rule));
                    });
        });
    }

    @WithTransaction
    public Uni<Void> delete(UUID id, DeleteRequest request) {
        return find(id).flatMap(rule -> {
            if (request.version() != null) {
                ConflictException.requireVersion("network rule " + rule.cidr(), rule.version(), request.version());
            }
            return outbox.record(new NetworkRuleDeleted(rule.id(), rule.cidr(), rule.version()))
                    .flatMap(e -> rules.delete(rule))
                    .flatMap(d -> rules.flush());
        });
    }

    /** What defaults a host would get; call inside a session. */
    public Uni<Resolution> resolve(String host) {
        String normalized = HostNames.normalize(host);
        if (!HostNames.isIpv4(normalized) && !HostNames.isIpv6(normalized)) {
            return Uni.createFrom()
                    .item(new Resolution(
                            Optional.empty(),
                            AccessPath.lan,
                            null,
                            null,
                            "a DNS name matches no CIDR rule; defaults apply (LAN, no site, no tunnel)"));
        }
        return rules.mostSpecificFirst().map(all -> {
            for (NetworkRule rule : all) {
                if (Cidr.parse(rule.cidr()).map(c -> c.contains(normalized)).orElse(false)) {
                    return new Resolution(
                            Optional.of(rule),
                            rule.accessPath(),
                            rule.siteId(),
                            rule.tunnelProfileId(),
                            normalized + " is in " + rule.cidr() + ", the most specific matching rule");
                }
            }
            return new Resolution(
                    Optional.empty(),
                    AccessPath.lan,
                    null,
                    null,
                    "no network rule contains " + normalized + "; defaults apply (LAN, no site, no tunnel)");
        });
    }

    @WithSession
    public Uni<NetworkRuleApi.ResolutionResponse> explain(String host) {
        if (host == null || !HostNames.isValid(host.strip())) {
            throw new InvalidFieldException("host", "must be an IPv4 or IPv6 address or a DNS name");
        }
        return resolve(host.strip()).flatMap(r -> {
            Uni<String> siteName = r.siteId() == null
                    ? Uni.createFrom().nullItem()
                    : sites.findById(r.siteId()).map(s -> s == null ? null : s.name());
            Uni<String> tunnelName = r.tunnelProfileId() == null
                    ? Uni.createFrom().nullItem()
                    : tunnels.findById(r.tunnelProfileId()).map(t -> t == null ? null : t.name());
            return siteName.flatMap(site -> tunnelName.map(tunnel -> new NetworkRuleApi.ResolutionResponse(
                    HostNames.normalize(host.strip()),
                    r.rule().map(NetworkRule::id).orElse(null),
                    r.rule().map(NetworkRule::cidr).orElse(null),
                    r.siteId(),
                    site,
                    r.accessPath(),
                    r.tunnelProfileId(),
                    tunnel,
                    r.reason())));
        });
    }

    /**
     * Site and tunnel references must exist, and the tunnel goes with the access path: required
     * for {@code tunnel}, absent for {@code lan}. Shared by rules and targets.
     */
    public Uni<Void> checkReferences(UUID siteId, AccessPath accessPath, UUID tunnelProfileId) {
        if (accessPath == AccessPath.tunnel && tunnelProfileId == null) {
            throw new InvalidFieldException("tunnel_profile_id", "is required when access_path is tunnel");
        }
        if (accessPath == AccessPath.lan && tunnelProfileId != null) {
            throw new InvalidFieldException("tunnel_profile_id", "must be empty when access_path is lan");
        }
        Uni<Void> site = siteId == null
                ? Uni.createFrom().voidItem()
                : sites.findById(siteId).map(s -> {
                    if (s == null) {
                        throw new InvalidFieldException("site_id", "no site has this id");
                    }
                    return null;
                });
        return site.flatMap(v -> tunnelProfileId == null
                ? Uni.createFrom().voidItem()
                : tunnels.findById(tunnelProfileId).map(t -> {
                    if (t == null) {
                        throw new InvalidFieldException("tunnel_profile_id", "no tunnel profile has this id");
                    }
                    return null;
                }));
    }

    private Uni<NetworkRule> find(UUID id) {
        return rules.findById(id).onItem().ifNull().failWith(() -> new ResourceNotFoundException("network rule", id));
    }

    private static Cidr parse(String text) {
        return Cidr.parse(text)
                .orElseThrow(
                        () -> new InvalidFieldException("cidr", "must be an IPv4 or IPv6 network like 10.76.20.0/22"));
    }

    private static ConflictException cidrTaken(Cidr cidr) {
        return new ConflictException("cidr", "a rule for " + cidr.canonical() + " already exists");
    }
}
