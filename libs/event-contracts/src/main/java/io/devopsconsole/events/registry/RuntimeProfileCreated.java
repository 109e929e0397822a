package io.devopsconsole.events.registry;

/** A project got a runtime profile. */
public record RuntimeProfileCreated(RuntimeProfileState profile) implements RuntimeProfileEvent {

    public static final String TYPE = "io.devopsconsole.registry.runtime_profile.created.v1";

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
