package io.devopsconsole.registry.project;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;
import java.time.OffsetDateTime;
import java.util.UUID;

/** A project: the unit an operator runs one agent session for. */
@Entity
@Table(name = "project")
public class Project {

    @Id
    private UUID id;

    @Column(nullable = false, updatable = false)
    private String slug;

    @Column(nullable = false)
    private String name;

    private String description;

    @Column(name = "default_working_directory", nullable = false)
    private String defaultWorkingDirectory;

    @Column(nullable = false)
    private boolean archived;

    @Column(name = "archived_at")
    private OffsetDateTime archivedAt;

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

    protected Project() {}

    Project(
            UUID id,
            String slug,
            String name,
            String description,
            String defaultWorkingDirectory,
            OffsetDateTime now,
            String actor) {
        this.id = id;
        this.slug = slug;
        this.name = name;
        this.description = description;
        this.defaultWorkingDirectory = defaultWorkingDirectory;
        this.createdAt = now;
        this.createdBy = actor;
        this.updatedAt = now;
        this.updatedBy = actor;
    }

    void update(String name, String description, String defaultWorkingDirectory, OffsetDateTime now, String actor) {
        this.name = name;
        this.description = description;
        this.defaultWorkingDirectory = defaultWorkingDirectory;
        this.updatedAt = now;
        this.updatedBy = actor;
    }

    void archive(OffsetDateTime now, String actor) {
        this.archived = true;
        this.archivedAt = now;
        this.updatedAt = now;
        this.updatedBy = actor;
    }

    public UUID id() {
        return id;
    }

    public String slug() {
        return slug;
    }

    public String name() {
        return name;
    }

    public String description() {
        return description;
    }

    public String defaultWorkingDirectory() {
        return defaultWorkingDirectory;
    }

    public boolean archived() {
        return archived;
    }

    public OffsetDateTime archivedAt() {
        return archivedAt;
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
