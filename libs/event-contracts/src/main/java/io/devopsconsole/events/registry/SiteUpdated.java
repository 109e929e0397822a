package io.devopsconsole.events.registry;

import java.util.List;
import java.util.UUID;

/** A site changed; the fields are its new state. */
public record SiteUpdated(UUID siteId, String name, String description, long version, List<String> changedFields)
        implements SiteEvent {

    public static final String TYPE = "io.devopsconsole.registry.site.updated.v1";

    public SiteUpdated {
        changedFields = List.copyOf(changedFields);
    }

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
