package io.devopsconsole.events.session;

import java.util.UUID;

/**
 * An operator attached a file to a session (its content stays in session-service and goes to the
 * runner in {@link io.devopsconsole.events.agent.CopyAttachment}; the audit notes name, type, size
 * and digest).
 */
public record AttachmentAdded(
        UUID sessionId,
        UUID projectId,
        UUID attachmentId,
        String name,
        String mediaType,
        long sizeBytes,
        String sha256,
        String uploadedBy)
        implements SessionEvent {

    public static final String TYPE = "io.devopsconsole.session.attachment.added.v1";

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
