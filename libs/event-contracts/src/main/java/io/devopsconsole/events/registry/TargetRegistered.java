package io.devopsconsole.events.registry;

/** An SSH target was added to the inventory. */
public record TargetRegistered(TargetState target) implements TargetEvent {

    public static final String TYPE = "io.devopsconsole.registry.target.registered.v1";

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
