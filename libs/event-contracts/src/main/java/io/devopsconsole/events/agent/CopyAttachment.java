package io.devopsconsole.events.agent;

import java.util.UUID;

/**
 * Put a file the operator attached into the session's working directory on its worker's host
 * ({@code .devops-console/attachments/<name>}); the content travels base64-encoded, bounded by the
 * attachment limit (ADR 0030), and is checked against {@code sha256} on the host. The runner answers
 * with an {@code attachment_copied} stream record.
 */
public record CopyAttachment(
        UUID sessionId,
        UUID projectId,
        UUID attachmentId,
        String name,
        long sizeBytes,
        String sha256,
        String contentBase64,
        String requestedBy)
        implements AgentCommand {

    public static final String TYPE = "io.devopsconsole.agent.attachment.copy_requested.v1";

    @Override
    public String resourceName() {
        return sessionId.toString();
    }

    @Override
    public String toString() {
        // the content is the operator's file: never in a log line
        return "CopyAttachment[session=" + sessionId + ", attachment=" + attachmentId + ", name=" + name + ", size="
                + sizeBytes + "]";
    }
}
