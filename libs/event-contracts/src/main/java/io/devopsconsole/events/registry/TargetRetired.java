package io.devopsconsole.events.registry;

import java.util.UUID;

/** An SSH target was retired: no new work goes to it. */
public record TargetRetired(UUID targetId, String name, String environment, long version) implements TargetEvent {

    public static final String TYPE = "io.devopsconsole.registry.target.retired.v1";

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
