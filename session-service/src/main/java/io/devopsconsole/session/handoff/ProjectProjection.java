package io.devopsconsole.session.handoff;

import io.devopsconsole.events.DomainEvent;
import io.devopsconsole.events.EventJson;
import io.devopsconsole.events.registry.ProjectArchived;
import io.devopsconsole.events.registry.ProjectCreated;
import io.devopsconsole.events.registry.ProjectUpdated;
import io.devopsconsole.events.registry.RuntimeProfileCreated;
import io.devopsconsole.events.registry.RuntimeProfileDeleted;
import io.devopsconsole.events.registry.RuntimeProfileUpdated;
import io.devopsconsole.platform.messaging.Projections;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Keeps the projects and their runtime-profile bindings that context digests mention. Versioned
 * upserts make redeliveries and replays harmless; other registry events are ignored here.
 */
@ApplicationScoped
public class ProjectProjection {

    private static final Logger LOG = Logger.getLogger(ProjectProjection.class);

    private final Pool pool;
    private final io.devopsconsole.platform.messaging.DeadLetters deadLetters;
    private final String table;
    private final String bindingsTable;

    public ProjectProjection(
            Pool pool,
            @ConfigProperty(name = "devops.schema") String schema,
            io.devopsconsole.platform.messaging.DeadLetters deadLetters) {
        this.pool = pool;
        this.deadLetters = deadLetters;
        this.table = schema + ".project_view";
        this.bindingsTable = schema + ".project_bindings_view";
    }

    @Incoming("registry-events")
    public Uni<Void> consume(ConsumerRecords<String, byte[]> records) {
        return Projections.apply(records, this::apply, LOG, deadLetters);
    }

    private Uni<Void> apply(DomainEvent event) {
        if (event instanceof ProjectCreated e) {
            return upsert(
                    e.projectId(),
                    e.slug(),
                    e.name(),
                    e.description(),
                    e.defaultWorkingDirectory(),
                    false,
                    e.version());
        }
        if (event instanceof ProjectUpdated e) {
            return upsert(
                    e.projectId(),
                    e.slug(),
                    e.name(),
                    e.description(),
                    e.defaultWorkingDirectory(),
                    false,
                    e.version());
        }
        if (event instanceof ProjectArchived e) {
            return pool.preparedQuery("UPDATE " + table + " SET archived = true, version = greatest(version, $2),"
                            + " updated_at = now() WHERE id = $1")
                    .execute(Tuple.of(e.projectId(), e.version()))
                    .replaceWithVoid();
        }
        if (event instanceof RuntimeProfileCreated e) {
            return bindings(
                    e.profile().projectId(),
                    EventJson.mapper().valueToTree(e.profile().bindings()).toString());
        }
        if (event instanceof RuntimeProfileUpdated e) {
            return bindings(
                    e.profile().projectId(),
                    EventJson.mapper().valueToTree(e.profile().bindings()).toString());
        }
        if (event instanceof RuntimeProfileDeleted e) {
            return bindings(e.profile().projectId(), "[]");
        }
        return Uni.createFrom().voidItem();
    }

    private Uni<Void> upsert(
            java.util.UUID id,
            String slug,
            String name,
            String description,
            String directory,
            boolean archived,
            long version) {
        return pool.preparedQuery("INSERT INTO " + table + " (id, slug, name, description, default_working_directory,"
                        + " archived, version, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, now())"
                        + " ON CONFLICT (id) DO UPDATE SET slug = excluded.slug, name = excluded.name,"
                        + " description = excluded.description, default_working_directory = excluded.default_working_directory,"
                        + " version = excluded.version, updated_at = now() WHERE " + table
                        + ".version <= excluded.version")
                .execute(Tuple.from(new Object[] {id, slug, name, description, directory, archived, version}))
                .replaceWithVoid();
    }

    private Uni<Void> bindings(java.util.UUID projectId, String json) {
        return pool.preparedQuery("INSERT INTO " + bindingsTable
                        + " (project_id, bindings, updated_at) VALUES ($1, $2, now())"
                        + " ON CONFLICT (project_id) DO UPDATE SET bindings = excluded.bindings, updated_at = now()")
                .execute(Tuple.of(projectId, json))
                .replaceWithVoid();
    }

    /** What is known of a project: name, directory, bindings (empty when registry has not told us). */
    /**
     * Fails unless {@code id} names a project the registry announced and did not archive: sessions
     * and handoffs are never opened for ids nobody registered (nor the nil UUID).
     */
    public Uni<Void> requireOpen(java.util.UUID id) {
        return pool.preparedQuery("SELECT slug, archived FROM " + table + " WHERE id = $1")
                .execute(Tuple.of(id))
                .map(rows -> {
                    if (rows.size() == 0) {
                        throw new io.devopsconsole.platform.problem.InvalidFieldException(
                                "project_id",
                                "names no registered project"
                                        + " (a project registered a moment ago can take a second to reach sessions: retry)");
                    }
                    io.vertx.mutiny.sqlclient.Row row = rows.iterator().next();
                    if (Boolean.TRUE.equals(row.getBoolean("archived"))) {
                        throw new io.devopsconsole.platform.problem.ConflictException(
                                "project_id", "project " + row.getString("slug") + " is archived");
                    }
                    return null;
                });
    }

    public Uni<Optional<io.vertx.mutiny.sqlclient.Row>> find(java.util.UUID id) {
        return pool.preparedQuery("SELECT p.*, coalesce(b.bindings, '[]') AS bindings FROM " + table + " p LEFT JOIN "
                        + bindingsTable + " b ON b.project_id = p.id WHERE p.id = $1")
                .execute(Tuple.of(id))
                .map(rows -> rows.size() == 0
                        ? Optional.empty()
                        : Optional.of(rows.iterator().next()));
    }
}
