package io.devopsconsole.events.registry;

import java.util.UUID;

/** An SSH target got a new inventory name. */
public record TargetRenamed(UUID targetId, String previousName, String name, String environment, long version)
        implements TargetEvent {

    public static final String TYPE = "io.devopsconsole.registry.target.renamed.v1";

    @Override
    public String aggregateId() {
        return targetId.toString();
    }

    @Override
    public String resourceType() {
        return "ssh_target";
    }

    @Override
    public String resourceName() {
        return name;
    }
}
