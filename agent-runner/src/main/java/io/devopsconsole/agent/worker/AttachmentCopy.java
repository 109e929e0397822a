package io.devopsconsole.agent.worker;

import io.devopsconsole.agent.codex.LaunchCommand;
import io.devopsconsole.agent.inventory.Inventory;
import io.devopsconsole.agent.ssh.SshConnector;
import io.devopsconsole.events.agent.CopyAttachment;
import io.devopsconsole.events.agent.stream.StreamPayload;
import io.devopsconsole.platform.logging.SessionLogs;
import io.devopsconsole.platform.redaction.SecretScanner;
import io.devopsconsole.platform.ssh.PinnedSsh;
import java.io.IOException;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.jboss.logging.Logger;

/**
 * An attached file put on the worker's host (ADR 0030): decoded and checked against its digest here,
 * written by the fixed command {@link LaunchCommand#copyAttachment} over a connection of its own, and
 * checked again by the digest the host computes. The outcome is the stream record that says so.
 */
final class AttachmentCopy {

    private static final Logger LOG = Logger.getLogger(AttachmentCopy.class);

    /**
     * SSH round trips off the session threads: at most four at a time per runner (each opens a connection);
     * more wait their turn rather than opening a connection and a thread each.
     */
    static final ExecutorService COPIES = Executors.newFixedThreadPool(4, r -> {
        Thread t = new Thread(r, "attachment-copy");
        t.setDaemon(true);
        return t;
    });

    private AttachmentCopy() {}

    static StreamPayload.AttachmentCopied copy(
            SshConnector ssh, Inventory.Target target, String workingDirectory, CopyAttachment a) {
        byte[] content;
        try {
            content = Base64.getDecoder().decode(a.contentBase64() == null ? "" : a.contentBase64());
        } catch (IllegalArgumentException e) {
            return failed(a, "the file arrived damaged (not base64)");
        }
        if (content.length != a.sizeBytes() || !CopyAttachment.sha256(content).equals(a.sha256())) {
            return failed(a, "the file arrived damaged (its size or SHA-256 differs from what was attached)");
        }
        String command;
        try {
            command = LaunchCommand.copyAttachment(workingDirectory, a.name());
        } catch (IllegalArgumentException e) {
            return failed(a, "refused: " + e.getMessage());
        }
        String path = workingDirectory + "/" + LaunchCommand.ATTACHMENTS + "/" + a.name();
        try {
            PinnedSsh.Result r = ssh.run(target, command, content, Duration.ofSeconds(60));
            String digest = r.stdout().strip().split("\\s+", 2)[0];
            if (!r.ok()) {
                String why = r.stderr() == null || r.stderr().isBlank()
                        ? "exit " + r.exitStatus()
                        : r.stderr().strip();
                return failed(a, "the host refused the file: " + SecretScanner.redactText(why));
            }
            if (!digest.equalsIgnoreCase(a.sha256())) {
                return failed(a, "the file on the host has another SHA-256 (" + digest + ")");
            }
            SessionLogs.info(
                    LOG,
                    a.sessionId(),
                    "attachment %s (%d bytes) of session %s copied to %s:%s",
                    a.name(),
                    content.length,
                    a.sessionId(),
                    target.name(),
                    path);
            return new StreamPayload.AttachmentCopied(
                    a.attachmentId().toString(), a.name(), "copied", path, (long) content.length, a.sha256(), null);
        } catch (IOException e) {
            return failed(a, "the host could not be reached: " + PinnedSsh.inWords(e, target.port()));
        }
    }

    static StreamPayload.AttachmentCopied failed(CopyAttachment a, String why) {
        SessionLogs.info(
                LOG, a.sessionId(), "attachment %s of session %s not copied: %s", a.name(), a.sessionId(), why);
        return new StreamPayload.AttachmentCopied(
                a.attachmentId().toString(), a.name(), "failed", null, a.sizeBytes(), a.sha256(), why);
    }
}
