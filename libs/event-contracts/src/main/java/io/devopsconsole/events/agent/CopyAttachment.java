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

    /**
     * An attachment's name: it becomes a file name on the host, so letters, digits, '.', '-' and '_', not
     * starting with one of the three and without '..' (session-service refuses others, the runner checks again).
     */
    public static final java.util.regex.Pattern NAME =
            java.util.regex.Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");

    public static boolean validName(String name) {
        return name != null && NAME.matcher(name).matches() && !name.contains("..");
    }

    /** The digest both sides compare: SHA-256 in lower-case hex. */
    public static String sha256(byte[] content) {
        try {
            return java.util.HexFormat.of()
                    .formatHex(
                            java.security.MessageDigest.getInstance("SHA-256").digest(content));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

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
