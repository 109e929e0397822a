package io.devopsconsole.onboarding.ssh;

import com.jcraft.jsch.ChannelExec;
import com.jcraft.jsch.JSch;
import com.jcraft.jsch.JSchException;
import com.jcraft.jsch.Session;
import io.devopsconsole.platform.ssh.CommandRuns;
import io.devopsconsole.platform.ssh.PinnedHostKey;
import io.devopsconsole.platform.ssh.SshIdentities;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * SSH to hosts being onboarded, with JSch. Two ways in: {@link #discover} completes only the key
 * exchange and reports the host key presented (nothing is trusted, no login happens); {@link #open}
 * logs in (the control-plane identity, or the target's override key from the secret store) only
 * if the host presents exactly the trusted key
 * ({@link HostKeyChanged} otherwise). Commands are the fixed strings of {@link RemoteCommands}.
 * Blocking: call from worker threads.
 */
@ApplicationScoped
public class HostSsh {

    /** Where to connect, and the one key to accept. */
    public record Endpoint(String name, String host, int port, String username, String trustedPublicKey,
                           String trustedFingerprint, String keySource, String keyReference, String environment) {

        /** An endpoint that logs in with the control-plane identity. */
        public Endpoint(String name, String host, int port, String username, String trustedPublicKey, String trustedFingerprint) {
            this(name, host, port, username, trustedPublicKey, trustedFingerprint, null, null, null);
        }
    }

    /** The key a host presented ({@code publicKey} is "type base64"). */
    public record PresentedKey(String type, String publicKey, String fingerprint) {
    }

    /** What a command printed and how it ended. */
    public record Result(int exitStatus, String stdout, String stderr) {
        public boolean ok() {
            return exitStatus == 0;
        }
    }

    /** The host presented a key other than the trusted one. */
    public static final class HostKeyChanged extends IOException {
        private final String expected;
        private final String presented;

        HostKeyChanged(String name, String expected, String presented) {
            super("host " + name + " presented host key " + presented + " but " + expected
                    + " is trusted: stopped (an operator must re-trust the host if the change is expected)");
            this.expected = expected;
            this.presented = presented;
        }

        public String expected() {
            return expected;
        }

        public String presented() {
            return presented;
        }
    }

    private static final int MAX_OUTPUT = 64 * 1024;

    private final Path identity;
    private final Duration connectTimeout;
    private final Counter connections;

    private final SshIdentities identities;

    public HostSsh(io.devopsconsole.onboarding.OnboardingConfig config, SshIdentities identities, MeterRegistry meters) {
        this.identities = identities;
        this.identity = Path.of(config.ssh().identityFile());
        this.connectTimeout = config.ssh().connectTimeout();
        this.connections = Counter.builder("onboarding_ssh_connections_total")
                .description("SSH connections onboarding opened (discovery and logins)").register(meters);
    }

    /** Exchanges keys with the host and reports what it presented; never logs in, never trusts. */
    public PresentedKey discover(String host, int port) throws IOException {
        PinnedHostKey discovering = PinnedHostKey.discovering();
        JSch jsch = new JSch();
        jsch.setHostKeyRepository(discovering);
        Session session = null;
        try {
            connections.increment();
            session = jsch.getSession("devops-console-discovery", host, port);
            session.setConfig("StrictHostKeyChecking", "yes");
            session.setConfig("PreferredAuthentications", "publickey");
            session.connect((int) connectTimeout.toMillis());
            throw new IOException("host " + host + " accepted a session without presenting a host key");
        } catch (JSchException e) {
            if (discovering.presentedBase64() == null) {
                throw new IOException("could not reach " + host + ":" + port + " over SSH: " + e.getMessage());
            }
            return new PresentedKey(discovering.presentedType(), discovering.presentedType() + " "
                    + discovering.presentedBase64(), discovering.presentedFingerprint());
        } finally {
            if (session != null) {
                session.disconnect();
            }
        }
    }

    /** Logs in (strict host key checking against the one trusted key). */
    public Connection open(Endpoint endpoint) throws IOException {
        if (endpoint.trustedPublicKey() == null) {
            throw new IOException("host " + endpoint.name() + " has no trusted host key: trust one first");
        }
        PinnedHostKey pinned = PinnedHostKey.trusting(endpoint.trustedPublicKey());
        JSch jsch = new JSch();
        jsch.setHostKeyRepository(pinned);
        Session session = null;
        try {
            connections.increment();
            identities.addTo(jsch, java.util.Optional.of(identity), endpoint.keySource(), endpoint.keyReference(), endpoint.name(),
                    endpoint.environment());
            session = jsch.getSession(endpoint.username(), endpoint.host(), endpoint.port());
            session.setConfig("StrictHostKeyChecking", "yes");
            session.setConfig("PreferredAuthentications", "publickey");
            session.setConfig("server_host_key", pinned.preferredAlgorithms(session.getConfig("server_host_key")));
            session.connect((int) connectTimeout.toMillis());
            return new Connection(endpoint, session);
        } catch (JSchException e) {
            if (session != null) {
                session.disconnect();
            }
            if (pinned.refusedAKey()) {
                throw new HostKeyChanged(endpoint.name(), endpoint.trustedFingerprint(), pinned.presentedFingerprint());
            }
            throw new IOException("SSH login to " + endpoint.username() + "@" + endpoint.host() + ":" + endpoint.port()
                    + " failed: " + e.getMessage());
        }
    }

    /** One logged-in SSH connection; each {@link #run} is one exec channel on it. */
    public static final class Connection implements AutoCloseable {
        private final Endpoint endpoint;
        private final Session session;

        Connection(Endpoint endpoint, Session session) {
            this.endpoint = endpoint;
            this.session = session;
        }

        public Result run(String command, Duration timeout) throws IOException {
            return run(command, null, timeout);
        }

        /** Runs a fixed command, writing {@code input} (if any) to its stdin, and waits for its end. */
        public Result run(String command, byte[] input, Duration timeout) throws IOException {
            ChannelExec exec;
            try {
                exec = (ChannelExec) session.openChannel("exec");
            } catch (JSchException e) {
                throw new IOException("SSH channel to " + endpoint.name() + " failed: " + e.getMessage());
            }
            exec.setCommand(command);
            ByteArrayOutputStream stderr = new Capped();
            exec.setErrStream(stderr, true);
            try {
                InputStream stdout = exec.getInputStream();
                OutputStream stdin = exec.getOutputStream();
                exec.connect((int) timeout.toMillis());
                CommandRuns.Outcome done = CommandRuns.complete(exec, stdout, stdin, input, timeout, endpoint.name());
                return new Result(done.exitStatus(), done.stdout(), stderr.toString(StandardCharsets.UTF_8));
            } catch (JSchException e) {
                throw new IOException("SSH command on " + endpoint.name() + " failed: " + e.getMessage());
            } finally {
                exec.disconnect();
            }
        }

        @Override
        public void close() {
            session.disconnect();
        }
    }

    /** Keeps the first 64 KiB written. */
    private static final class Capped extends ByteArrayOutputStream {
        @Override
        public synchronized void write(byte[] b, int off, int len) {
            super.write(b, off, Math.max(0, Math.min(len, MAX_OUTPUT - count)));
        }

        @Override
        public synchronized void write(int b) {
            if (count < MAX_OUTPUT) {
                super.write(b);
            }
        }
    }
}
