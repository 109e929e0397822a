package io.devopsconsole.registry.site;

import io.devopsconsole.events.registry.SiteCreated;
import io.devopsconsole.events.registry.SiteDeleted;
import io.devopsconsole.events.registry.SiteUpdated;
import io.devopsconsole.platform.api.PageResponse;
import io.devopsconsole.platform.outbox.Outbox;
import io.devopsconsole.platform.problem.ConflictException;
import io.devopsconsole.platform.problem.ResourceNotFoundException;
import io.devopsconsole.platform.problem.UniqueViolation;
import io.devopsconsole.registry.Clock;
import io.devopsconsole.registry.DeleteRequest;
import io.devopsconsole.registry.Inputs;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

@ApplicationScoped
public class SiteService {

    private final SiteRepository sites;
    private final Outbox outbox;

    public SiteService(SiteRepository sites, Outbox outbox) {
        this.sites = sites;
        this.outbox = outbox;
    }

    @WithTransaction
    public Uni<SiteApi.SiteResponse> create(SiteApi.CreateSiteRequest request) {
        Site site = new Site(
                UUID.randomUUID(), request.name().strip(), Inputs.blankToNull(request.description()), Clock.now());
        return sites.persist(site)
                .flatMap(
                        s -> outbox.record(new SiteCreated(site.id(), site.name(), site.description(), site.version())))
                .flatMap(e -> sites.flush())
                .onFailure(f -> UniqueViolation.of(f, "site_name_key"))
                .transform(f -> nameTaken(request.name()))
                .replaceWith(() -> SiteApi.SiteResponse.of(site));
    }

    @WithSession
    public Uni<SiteApi.SiteResponse> get(UUID id) {
        return find(id).map(SiteApi.SiteResponse::of);
    }

    @WithSession
    public Uni<PageResponse<SiteApi.SiteResponse>> list(String namePrefix, int page, int size) {
        return sites.page(namePrefix, page, size)
                .flatMap(rows -> sites.total(namePrefix)
                        .map(total -> PageResponse.of(rows, SiteApi.SiteResponse::of, page, size, total)));
    }

    @WithTransaction
    public Uni<SiteApi.SiteResponse> update(UUID id, SiteApi.UpdateSiteRequest request) {
        return find(id).flatMap(site -> {
            ConflictException.requireVersion("site " + site.name(), site.version(), request.version());
            String name = request.name().strip();
            String description = Inputs.blankToNull(request.description());
            List<String> changed = new ArrayList<>();
            if (!name.equals(site.name())) {
                changed.add("name");
            }
            if (!Objects.equals(description, site.description())) {
                changed.add("description");
            }
            if (changed.isEmpty()) {
                return Uni.createFrom().item(SiteApi.SiteResponse.of(site));
            }
            site.update(name, description, Clock.now());
            return sites.flush()
                    .flatMap(f -> outbox.record(
                            new SiteUpdated(site.id(), site.name(), site.description(), site.version(), changed)))
                    .flatMap(e -> sites.flush())
                    .onFailure(f -> UniqueViolation.of(f, "site_name_key"))
                    .transform(f -> nameTaken(name))
                    .replaceWith(() -> SiteApi.SiteResponse.of(site));
        });
    }

    @WithTransaction
    public Uni<Void> delete(UUID id, DeleteRequest request) {
        return find(id).flatMap(site -> {
            if (request.version() != null) {
                ConflictException.requireVersion("site " + site.name(), site.version(), request.version());
            }
            return sites.referenced(id).flatMap(referenced -> {
                if (referenced) {
                    throw new ConflictException(
                            "site " + site.name() + " is still used by network rules or SSH targets; move them first");
                }
                return outbox.record(new SiteDeleted(site.id(), site.name(), site.version()))
                        .flatMap(e -> sites.delete(site))
                        .flatMap(d -> sites.flush());
            });
        });
    }

    private Uni<Site> find(UUID id) {
        return sites.findById(id).onItem().ifNull().failWith(() -> new ResourceNotFoundException("site", id));
    }

    private static ConflictException nameTaken(String name) {
        return new ConflictException("name", "a site named '" + name.strip() + "' already exists");
    }
}
