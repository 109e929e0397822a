package io.devopsconsole.events.registry;

import java.util.UUID;

/** A site was added. */
public record SiteCreated(UUID siteId, String name, String description, long version) implements SiteEvent {

    public static final String TYPE = "io.devopsconsole.registry.site.created.v1";

    @Override
    public String aggregateId() {
        return siteId.toString();
    }

    @Override
    public String resourceType() {
        return "site";
    }

    @Override
    public String resourceName() {
        return name;
    }
}
