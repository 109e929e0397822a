package io.devopsconsole.events.session;

import java.util.UUID;

/** An operator opened the live session of a project. */
public record SessionCreated(UUID sessionId, UUID projectId, String state, String startedBy) implements SessionEvent {

    public static final String TYPE = "io.devopsconsole.session.session.created.v1";

    @Override
    public String aggregateId() {
        return sessionId.toString();
    }

    @Override
    public String resourceType() {
        return "session";
    }

    @Override
    public String resourceName() {
        return projectId.toString();
    }
}
