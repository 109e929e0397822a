package io.devopsconsole.registry.runtime;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.util.UUID;

/** One target a runtime profile runs on, with its role and working directory there. */
@Entity
@Table(name = "runtime_profile_binding")
public class Binding {

    /** The primary target runs the session's main worker; secondaries run further workers. */
    public enum Role {
        primary,
        secondary
    }

    @Id
    private UUID id;

    @Column(name = "target_id", nullable = false)
    private UUID targetId;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false)
    private Role role;

    @Column(name = "working_directory", nullable = false)
    private String workingDirectory;

    @Column(nullable = false)
    private int position;

    protected Binding() {}

    Binding(UUID targetId, Role role, String workingDirectory, int position) {
        this.id = UUID.randomUUID();
        this.targetId = targetId;
        this.role = role;
        this.workingDirectory = workingDirectory;
        this.position = position;
    }

    void update(Role role, String workingDirectory, int position) {
        this.role = role;
        this.workingDirectory = workingDirectory;
        this.position = position;
    }

    int position() {
        return position;
    }

    public UUID targetId() {
        return targetId;
    }

    public Role role() {
        return role;
    }

    public String workingDirectory() {
        return workingDirectory;
    }
}
