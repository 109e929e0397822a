package io.devopsconsole.events.registry;

/** A retired SSH target was deleted; the state is what was removed. */
public record TargetRemoved(TargetState target, String reason) implements TargetEvent {

    public static final String TYPE = "io.devopsconsole.registry.target.removed.v1";

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
