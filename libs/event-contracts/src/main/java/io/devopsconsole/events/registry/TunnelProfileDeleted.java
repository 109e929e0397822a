package io.devopsconsole.events.registry;

/** A tunnel profile was deleted; the state is what was removed. */
public record TunnelProfileDeleted(TunnelProfileState tunnel) implements TunnelProfileEvent {

    public static final String TYPE = "io.devopsconsole.registry.tunnel_profile.deleted.v1";

    @Override
    public String aggregateId() {
        return tunnel.tunnelProfileId().toString();
    }

    @Override
    public String resourceType() {
        return "tunnel_profile";
    }

    @Override
    public String resourceName() {
        return tunnel.name();
    }
}
