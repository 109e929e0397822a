package io.devopsconsole.events.session;

import java.util.UUID;

/** A session moved from one state to another ({@code reason} says why, in operator words). */
public record SessionStateChanged(UUID sessionId, UUID projectId, String from, String to, String reason)
        implements SessionEvent {

    public static final String TYPE = "io.devopsconsole.session.session.state_changed.v1";

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
