package io.devopsconsole.events.registry;

import java.util.List;

/** A tunnel profile changed (settings or observed state). */
public record TunnelProfileUpdated(TunnelProfileState tunnel, List<String> changedFields)
        implements TunnelProfileEvent {

    public static final String TYPE = "io.devopsconsole.registry.tunnel_profile.updated.v1";

    public TunnelProfileUpdated {
        changedFields = List.copyOf(changedFields);
    }

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
