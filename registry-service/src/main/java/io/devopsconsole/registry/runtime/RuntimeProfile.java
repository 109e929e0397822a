package io.devopsconsole.registry.runtime;

import io.devopsconsole.events.registry.RuntimeProfileState;
import jakarta.persistence.CascadeType;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.FetchType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.OneToMany;
import jakarta.persistence.OrderBy;
import jakarta.persistence.Table;
import jakarta.persistence.Version;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** Where a project's workers run: one or more target bindings and what to do with active work. */
@Entity
@Table(name = "runtime_profile")
public class RuntimeProfile {

    /** {@code attach} to active work, or {@code confirm} before refreshing it. */
    public enum SwitchPolicy {
        attach,
        confirm
    }

    @Id
    private UUID id;

    @Column(name = "project_id", nullable = false, updatable = false)
    private UUID projectId;

    @Enumerated(EnumType.STRING)
    @Column(name = "switch_policy", nullable = false)
    private SwitchPolicy switchPolicy;

    @OneToMany(cascade = CascadeType.ALL, orphanRemoval = true, fetch = FetchType.EAGER)
    @JoinColumn(name = "runtime_profile_id", nullable = false)
    @OrderBy("position")
    private List<Binding> bindings = new ArrayList<>();

    @Column(name = "created_at", nullable = false, updatable = false)
    private OffsetDateTime createdAt;

    @Column(name = "updated_at", nullable = false)
    private OffsetDateTime updatedAt;

    @Column(name = "codex_model")
    private String codexModel;

    @Column(name = "codex_model_provider")
    private String codexModelProvider;

    @Column(name = "codex_model_base_url")
    private String codexModelBaseUrl;

    @Column(name = "codex_approval_policy")
    private String codexApprovalPolicy;

    @Column(name = "codex_sandbox_mode")
    private String codexSandboxMode;

    @Version
    private long version;

    protected RuntimeProfile() {}

    RuntimeProfile(UUID id, UUID projectId, OffsetDateTime now) {
        this.id = id;
        this.projectId = projectId;
        this.createdAt = now;
    }

    /**
     * Replaces the bindings, updating the row of a target that stays bound in place (the
     * (profile, target) key is unique, and Hibernate inserts before it deletes orphans).
     */
    void set(
            SwitchPolicy policy,
            List<Binding> newBindings,
            RuntimeProfileState.CodexOptions codex,
            OffsetDateTime now) {
        this.switchPolicy = policy;
        RuntimeProfileState.CodexOptions c = codex == null ? RuntimeProfileState.CodexOptions.NONE : codex;
        this.codexModel = c.model();
        this.codexModelProvider = c.modelProvider();
        this.codexModelBaseUrl = c.modelBaseUrl();
        this.codexApprovalPolicy = c.approvalPolicy();
        this.codexSandboxMode = c.sandboxMode();
        java.util.Map<UUID, Binding> existing = new java.util.HashMap<>();
        bindings.forEach(b -> existing.put(b.targetId(), b));
        List<Binding> next = new ArrayList<>();
        for (Binding wanted : newBindings) {
            Binding kept = existing.get(wanted.targetId());
            if (kept != null) {
                kept.update(wanted.role(), wanted.workingDirectory(), wanted.position());
                next.add(kept);
            } else {
                next.add(wanted);
            }
        }
        bindings.clear();
        bindings.addAll(next);
        this.updatedAt = now;
    }

    public RuntimeProfileState state() {
        return new RuntimeProfileState(
                id,
                projectId,
                switchPolicy.name(),
                bindings.stream()
                        .map(b -> new RuntimeProfileState.Binding(
                                b.targetId(), b.role().name(), b.workingDirectory()))
                        .toList(),
                codex(),
                version);
    }

    public UUID id() {
        return id;
    }

    public UUID projectId() {
        return projectId;
    }

    public SwitchPolicy switchPolicy() {
        return switchPolicy;
    }

    public RuntimeProfileState.CodexOptions codex() {
        return new RuntimeProfileState.CodexOptions(
                codexModel, codexModelProvider, codexModelBaseUrl, codexApprovalPolicy, codexSandboxMode);
    }

    public List<Binding> bindings() {
        return List.copyOf(bindings);
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
