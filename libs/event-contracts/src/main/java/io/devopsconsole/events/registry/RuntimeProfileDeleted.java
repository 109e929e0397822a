package io.devopsconsole.events.registry;

/** A runtime profile was deleted; the state is what was removed. */
public record RuntimeProfileDeleted(RuntimeProfileState profile) implements RuntimeProfileEvent {

    public static final String TYPE = "io.devopsconsole.registry.runtime_profile.deleted.v1";

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
