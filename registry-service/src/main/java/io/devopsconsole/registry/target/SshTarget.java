package io.devopsconsole.registry.target;

import io.devopsconsole.events.registry.TargetState;
import io.devopsconsole.registry.network.AccessPath;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;
import java.time.OffsetDateTime;
import java.util.UUID;

/** A server the console may reach over SSH. */
@Entity
@Table(name = "ssh_target")
public class SshTarget {

    /** Where a target sits in the release path (constants are the API and database spelling). */
    public enum Environment {
        lab,
        staging,
        production
    }

    /** What the last readiness check said about Codex on the target. */
    public enum CodexStatus {
        unknown,
        missing,
        installed_but_auth_required,
        ready
    }

    public static final String DEFAULT_IDENTITY = "default_control_plane_identity";
    public static final String OVERRIDE_KEY = "target_override_key";

    @Id
    private UUID id;

    @Column(nullable = false)
    private String name;

    @Column(nullable = false)
    private String host;

    @Column(nullable = false)
    private int port;

    @Column(nullable = false)
    private String username;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false)
    private Environment environment;

    @Column(name = "site_id")
    private UUID siteId;

    @Enumerated(EnumType.STRING)
    @Column(name = "access_path", nullable = false)
    private AccessPath accessPath;

    @Column(name = "tunnel_profile_id")
    private UUID tunnelProfileId;

    @Column(name = "key_reference")
    private String keyReference;

    @Column(name = "host_key_type")
    private String hostKeyType;

    @Column(name = "host_key_fingerprint")
    private String hostKeyFingerprint;

    @Column(name = "host_key_public")
    private String hostKeyPublic;

    @Column(name = "host_key_trusted_at")
    private OffsetDateTime hostKeyTrustedAt;

    @Column(name = "host_key_trusted_by")
    private String hostKeyTrustedBy;

    @Enumerated(EnumType.STRING)
    @Column(name = "codex_status", nullable = false)
    private CodexStatus codexStatus;

    @Column(nullable = false)
    private boolean retired;

    @Column(name = "retired_at")
    private OffsetDateTime retiredAt;

    @Column(name = "created_at", nullable = false, updatable = false)
    private OffsetDateTime createdAt;

    @Column(name = "created_by", nullable = false, updatable = false)
    private String createdBy;

    @Column(name = "updated_at", nullable = false)
    private OffsetDateTime updatedAt;

    @Column(name = "updated_by", nullable = false)
    private String updatedBy;

    @Version
    private long version;

    protected SshTarget() {}

    SshTarget(UUID id, OffsetDateTime now, String actor) {
        this.id = id;
        this.codexStatus = CodexStatus.unknown;
        this.createdAt = now;
        this.createdBy = actor;
    }

    /** Everything an operator sets. Host or port changes drop the trusted host key (it was the old host's). */
    boolean connect(
            String name,
            String host,
            int port,
            String username,
            Environment environment,
            UUID siteId,
            AccessPath accessPath,
            UUID tunnelProfileId,
            String keyReference,
            OffsetDateTime now,
            String actor) {
        boolean endpointChanged = this.host != null && (!this.host.equals(host) || this.port != port);
        this.name = name;
        this.host = host;
        this.port = port;
        this.username = username;
        this.environment = environment;
        this.siteId = siteId;
        this.accessPath = accessPath;
        this.tunnelProfileId = tunnelProfileId;
        this.keyReference = keyReference;
        touch(now, actor);
        if (endpointChanged && hostKeyFingerprint != null) {
            clearHostKey();
            return true;
        }
        return false;
    }

    void trustHostKey(String type, String fingerprint, String publicKey, OffsetDateTime now, String actor) {
        this.hostKeyType = type;
        this.hostKeyFingerprint = fingerprint;
        this.hostKeyPublic = publicKey;
        this.hostKeyTrustedAt = now;
        this.hostKeyTrustedBy = actor;
        touch(now, actor);
    }

    void codexStatus(CodexStatus status, OffsetDateTime now, String actor) {
        this.codexStatus = status;
        touch(now, actor);
    }

    void retire(OffsetDateTime now, String actor) {
        this.retired = true;
        this.retiredAt = now;
        touch(now, actor);
    }

    private void clearHostKey() {
        hostKeyType = null;
        hostKeyFingerprint = null;
        hostKeyPublic = null;
        hostKeyTrustedAt = null;
        hostKeyTrustedBy = null;
    }

    private void touch(OffsetDateTime now, String actor) {
        this.updatedAt = now;
        this.updatedBy = actor;
    }

    public String keySource() {
        return keyReference == null ? DEFAULT_IDENTITY : OVERRIDE_KEY;
    }

    public TargetState state() {
        return new TargetState(
                id,
                name,
                host,
                port,
                username,
                environment.name(),
                siteId,
                accessPath.name(),
                tunnelProfileId,
                keySource(),
                keyReference,
                hostKeyFingerprint,
                codexStatus.name(),
                retired,
                version);
    }

    public UUID id() {
        return id;
    }

    public String name() {
        return name;
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    public String username() {
        return username;
    }

    public Environment environment() {
        return environment;
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

    public String keyReference() {
        return keyReference;
    }

    public String hostKeyType() {
        return hostKeyType;
    }

    public String hostKeyFingerprint() {
        return hostKeyFingerprint;
    }

    public String hostKeyPublic() {
        return hostKeyPublic;
    }

    public OffsetDateTime hostKeyTrustedAt() {
        return hostKeyTrustedAt;
    }

    public String hostKeyTrustedBy() {
        return hostKeyTrustedBy;
    }

    public CodexStatus codexStatus() {
        return codexStatus;
    }

    public boolean retired() {
        return retired;
    }

    public OffsetDateTime retiredAt() {
        return retiredAt;
    }

    public OffsetDateTime createdAt() {
        return createdAt;
    }

    public String createdBy() {
        return createdBy;
    }

    public OffsetDateTime updatedAt() {
        return updatedAt;
    }

    public String updatedBy() {
        return updatedBy;
    }

    public long version() {
        return version;
    }
}
