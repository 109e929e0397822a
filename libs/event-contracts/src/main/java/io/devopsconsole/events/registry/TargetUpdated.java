package io.devopsconsole.events.registry;

import java.util.List;

/** An SSH target's connection or metadata changed; the state is the new one. */
public record TargetUpdated(TargetState target, List<String> changedFields) implements TargetEvent {

    public static final String TYPE = "io.devopsconsole.registry.target.updated.v1";

    public TargetUpdated {
        changedFields = List.copyOf(changedFields);
    }

    @Override
    public String aggregateId() {
        return target.targetId().toString();
    }

    @Override
    public String resourceType() {
        return "ssh_target";
    }

    @Override
    public String resourceName() {
        return target.name();
    }
}
