package io.devopsconsole.events.registry;

import java.util.List;

/** A runtime profile changed; the state is the new one. */
public record RuntimeProfileUpdated(RuntimeProfileState profile, List<String> changedFields)
        implements RuntimeProfileEvent {

    public static final String TYPE = "io.devopsconsole.registry.runtime_profile.updated.v1";

    public RuntimeProfileUpdated {
        changedFields = List.copyOf(changedFields);
    }

    @Override
    public String aggregateId() {
        return profile.runtimeProfileId().toString();
    }

    @Override
    public String resourceType() {
        return "runtime_profile";
    }

    @Override
    public String resourceName() {
        return profile.projectId().toString();
    }
}
