package io.devopsconsole.registry.tunnel;

import io.devopsconsole.events.registry.TunnelProfileState;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;
import java.time.OffsetDateTime;
import java.util.UUID;

/** How the console reaches hosts behind a VPN: a WireGuard interface on the control-plane host. */
@Entity
@Table(name = "tunnel_profile")
public class TunnelProfile {

    /** Tunnel technologies (the enum constants are the API and database spelling). */
    public enum Kind {
        wireguard
    }

    /** What the last check observed. */
    public enum OperationalState {
        unknown,
        up,
        down
    }

    @Id
    private UUID id;

    @Column(nullable = false)
    private String name;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false, updatable = false)
    private Kind kind;

    @Column(name = "interface_name", nullable = false)
    private String interfaceName;

    @Column(name = "config_path", nullable = false)
    private String configPath;

    @Column(nullable = false)
    private boolean enabled;

    @Enumerated(EnumType.STRING)
    @Column(name = "operational_state", nullable = false)
    private OperationalState operationalState;

    @Column(name = "usable_for_remote_execution", nullable = false)
    private boolean usableForRemoteExecution;

    @Column(name = "last_checked_at")
    private OffsetDateTime lastCheckedAt;

    @Column(name = "created_at", nullable = false, updatable = false)
    private OffsetDateTime createdAt;

    @Column(name = "updated_at", nullable = false)
    private OffsetDateTime updatedAt;

    @Version
    private long version;

    protected TunnelProfile() {}

    TunnelProfile(
            UUID id,
            String name,
            Kind kind,
            String interfaceName,
            String configPath,
            boolean enabled,
            OffsetDateTime now) {
        this.id = id;
        this.name = name;
        this.kind = kind;
        this.interfaceName = interfaceName;
        this.configPath = configPath;
        this.enabled = enabled;
        this.operationalState = OperationalState.unknown;
        this.createdAt = now;
        this.updatedAt = now;
    }

    void configure(String name, String interfaceName, String configPath, boolean enabled, OffsetDateTime now) {
        this.name = name;
        this.interfaceName = interfaceName;
        this.configPath = configPath;
        this.enabled = enabled;
        this.updatedAt = now;
    }

    void observe(OperationalState state, boolean usable, OffsetDateTime now) {
        this.operationalState = state;
        this.usableForRemoteExecution = usable;
        this.lastCheckedAt = now;
        this.updatedAt = now;
    }

    /** Whether work may go through this tunnel now: enabled, seen up, and marked usable. */
    public boolean available() {
        return enabled && operationalState == OperationalState.up && usableForRemoteExecution;
    }

    public TunnelProfileState state() {
        return new TunnelProfileState(
                id,
                name,
                kind.name(),
                interfaceName,
                configPath,
                enabled,
                operationalState.name(),
                usableForRemoteExecution,
                lastCheckedAt,
                version);
    }

    public UUID id() {
        return id;
    }

    public String name() {
        return name;
    }

    public Kind kind() {
        return kind;
    }

    public String interfaceName() {
        return interfaceName;
    }

    public String configPath() {
        return configPath;
    }

    public boolean enabled() {
        return enabled;
    }

    public OperationalState operationalState() {
        return operationalState;
    }

    public boolean usableForRemoteExecution() {
        return usableForRemoteExecution;
    }

    public OffsetDateTime lastCheckedAt() {
        return lastCheckedAt;
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
