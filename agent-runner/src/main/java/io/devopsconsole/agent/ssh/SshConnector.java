package io.devopsconsole.agent.ssh;

import com.jcraft.jsch.ChannelExec;
import com.jcraft.jsch.JSch;
import com.jcraft.jsch.JSchException;
import com.jcraft.jsch.Session;
import io.devopsconsole.agent.AgentConfig;
import io.devopsconsole.agent.inventory.Inventory;
import io.devopsconsole.platform.ssh.CommandRuns;
import io.devopsconsole.platform.ssh.PinnedHostKey;
import io.devopsconsole.platform.ssh.SshIdentities;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;

/**
 * Opens exec channels on targets with JSch. Host keys are checked strictly against the one key
 * the inventory says is trusted for the target: any other key, or none trusted, refuses the
 * connection ({@link HostKeyRefused}) and nothing is ever added to a trust store. The identity is
 * the control-plane key file unless the target names an override key, read from the secret store
 * ({@link SshIdentities}). Blocking: call it
 * from a worker's own thread, never from an event loop.
 */
@ApplicationScoped
public class SshConnector {

    private static final Logger LOG = Logger.getLogger(SshConnector.class);

    /** The target presented a host key other than the trusted one (or none is trusted). */
    public static final class HostKeyRefused extends IOException {
        private final String presentedFingerprint;

        HostKeyRefused(String message, String presentedFingerprint) {
            super(message);
            this.presentedFingerprint = presentedFingerprint;
        }

        public String presentedFingerprint() {
            return presentedFingerprint;
        }
    }

    /** One exec channel: the remote program's stdin and stdout; stderr is kept (last 4 KiB) for error reports. */
    public static final class Channel implements AutoCloseable {
        private final Session session;
        private final ChannelExec exec;
        private final InputStream stdout;
        private final OutputStream stdin;
        private final TailBuffer stderr;

        Channel(Session session, ChannelExec exec, InputStream stdout, OutputStream stdin, TailBuffer stderr) {
            this.session = session;
            this.exec = exec;
            this.stdout = stdout;
            this.stdin = stdin;
            this.stderr = stderr;
        }

        public InputStream stdout() {
            return stdout;
        }

        public OutputStream stdin() {
            return stdin;
        }

        public String stderrTail() {
            return stderr.text();
        }

        /** The remote command's exit status once it has ended, else -1. */
        public int exitStatus() {
            return exec.isClosed() ? exec.getExitStatus() : -1;
        }

        @Override
        public void close() {
            exec.disconnect();
            session.disconnect();
        }
    }

    private final AgentConfig config;
    private final SshIdentities identities;

    public SshConnector(AgentConfig config, SshIdentities identities) {
        this.config = config;
        this.identities = identities;
    }

    public Channel exec(Inventory.Target target, String command) throws IOException {
        if (target.hostPublicKey() == null) {
            throw new HostKeyRefused("no trusted host key for target " + target.name(), null);
        }
        PinnedHostKey pinned = PinnedHostKey.trusting(target.hostPublicKey());
        JSch jsch = new JSch();
        jsch.setHostKeyRepository(pinned);
        Session session = null;
        try {
            identities.addTo(jsch, config.ssh().identityFile().map(Path::of), target.keySource(), target.keyReference(),
                    target.name(), target.environment());
            session = jsch.getSession(target.username(), target.host(), target.port());
            session.setConfig("StrictHostKeyChecking", "yes");
            session.setConfig("HashKnownHosts", "no");
            session.setConfig("PreferredAuthentications", "publickey");
            // ask for the trusted key's algorithm first, so a host with several keys presents that one
            String algorithms = session.getConfig("server_host_key");
            session.setConfig("server_host_key", pinned.preferredAlgorithms(algorithms));
            session.setServerAliveInterval((int) config.ssh().keepAlive().toMillis());
            session.setServerAliveCountMax(3);
            session.connect((int) config.ssh().connectTimeout().toMillis());
            ChannelExec exec = (ChannelExec) session.openChannel("exec");
            exec.setCommand(command);
            TailBuffer stderr = new TailBuffer(4096);
            exec.setErrStream(stderr, true);
            InputStream stdout = exec.getInputStream();
            OutputStream stdin = exec.getOutputStream();
            exec.connect((int) config.ssh().connectTimeout().toMillis());
            return new Channel(session, exec, stdout, stdin, stderr);
        } catch (JSchException e) {
            if (session != null) {
                session.disconnect();
            }
            if (pinned.refusedAKey()) {
                String presented = pinned.presentedFingerprint();
                throw new HostKeyRefused("target " + target.name() + " presented host key " + presented
                        + " but " + target.hostKeyFingerprint() + " is trusted: refused (re-trust it through onboarding"
                        + " if the change is expected)", presented);
            }
            throw new IOException("SSH to " + target.username() + "@" + target.host() + ":" + target.port() + " failed: "
                    + e.getMessage(), e);
        }
    }

    /** What a short fixed command printed, and how it ended. */
    public record Result(int exitStatus, String stdout, String stderr) {
    }

    /** Runs a short fixed command to its end (output capped at 64 KiB), within the timeout. */
    public Result run(Inventory.Target target, String command, java.time.Duration timeout) throws IOException {
        try (Channel channel = exec(target, command)) {
            CommandRuns.Outcome done = CommandRuns.complete(channel.exec, channel.stdout(), channel.stdin(), null, timeout,
                    target.name());
            return new Result(done.exitStatus(), done.stdout(), channel.stderrTail());
        }
    }

    /** Keeps the last bytes written (the remote stderr). */
    static final class TailBuffer extends OutputStream {
        private final int max;
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        TailBuffer(int max) {
            this.max = max;
        }

        @Override
        public synchronized void write(int b) {
            bytes.write(b);
            trim();
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            bytes.write(b, off, len);
            trim();
        }

        private void trim() {
            if (bytes.size() > 2 * max) {
                byte[] all = bytes.toByteArray();
                bytes.reset();
                bytes.write(all, all.length - max, max);
            }
        }

        synchronized String text() {
            byte[] all = bytes.toByteArray();
            int from = Math.max(0, all.length - max);
            return new String(all, from, all.length - from, java.nio.charset.StandardCharsets.UTF_8);
        }
    }
}
