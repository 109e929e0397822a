package io.devopsconsole.registry.network;

import io.devopsconsole.events.registry.NetworkRuleCreated;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;
import java.time.OffsetDateTime;
import java.util.UUID;

/** CIDR → the defaults a host in that network gets (site, access path, tunnel profile). */
@Entity
@Table(name = "network_rule")
public class NetworkRule {

    @Id
    private UUID id;

    @Column(nullable = false)
    private String cidr;

    @Column(name = "prefix_length", nullable = false)
    private int prefixLength;

    @Column(name = "site_id")
    private UUID siteId;

    @Enumerated(EnumType.STRING)
    @Column(name = "access_path", nullable = false)
    private AccessPath accessPath;

    @Column(name = "tunnel_profile_id")
    private UUID tunnelProfileId;

    private String description;

    @Column(name = "created_at", nullable = false, updatable = false)
    private OffsetDateTime createdAt;

    @Column(name = "updated_at", nullable = false)
    private OffsetDateTime updatedAt;

    @Version
    private long version;

    protected NetworkRule() {}

    NetworkRule(UUID id, OffsetDateTime now) {
        this.id = id;
        this.createdAt = now;
    }

    void set(
            String cidr,
            int prefixLength,
            UUID siteId,
            AccessPath accessPath,
            UUID tunnelProfileId,
            String description,
            OffsetDateTime now) {
        this.cidr = cidr;
        this.prefixLength = prefixLength;
        this.siteId = siteId;
        this.accessPath = accessPath;
        this.tunnelProfileId = tunnelProfileId;
        this.description = description;
        this.updatedAt = now;
    }

    NetworkRuleCreated created() {
        return new NetworkRuleCreated(id, cidr, siteId, accessPath.name(), tunnelProfileId, description, version);
    }

    public UUID id() {
        return id;
    }

    public String cidr() {
        return cidr;
    }

    public int prefixLength() {
        return prefixLength;
    }

    public UUID siteId() {
        return siteId;
    }

    public AccessPath accessPath() {
        return accessPath;
    }

    public UUID tunnelProfileId() {
        return tunnelProfileId;
    }

    public String description() {
        return description;
    }

    public OffsetDateTime createdAt() {
        return createdAt;
    }

    public OffsetDateTime updatedAt() {
        return updatedAt;
    }

    public long version() {
        return version;
    }
}
