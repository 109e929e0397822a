package io.devopsconsole.events.session;

import java.util.UUID;

/** An operator sent the agent a message (the text stays in the transcript; the audit notes its size). */
public record OperatorMessagePosted(UUID sessionId, UUID projectId, UUID messageId, long seq, int length)
        implements SessionEvent {

    public static final String TYPE = "io.devopsconsole.session.message.posted.v1";

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
