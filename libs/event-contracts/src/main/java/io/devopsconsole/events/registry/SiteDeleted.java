package io.devopsconsole.events.registry;

import java.util.UUID;

/** A site was deleted. */
public record SiteDeleted(UUID siteId, String name, long version) implements SiteEvent {

    public static final String TYPE = "io.devopsconsole.registry.site.deleted.v1";

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
