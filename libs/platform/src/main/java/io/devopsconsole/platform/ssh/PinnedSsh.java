package io.devopsconsole.platform.ssh;

import com.jcraft.jsch.ChannelExec;
import com.jcraft.jsch.JSch;
import com.jcraft.jsch.JSchException;
import com.jcraft.jsch.Session;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * The one SSH client of the control plane (JSch), for every service that reaches a host. A login
 * happens only if the host presents exactly the one trusted key ({@link HostKeyRefused} otherwise;
 * nothing is ever added to a trust store); the identity is the control-plane key file unless the
 * endpoint names an override key from the secret store ({@link SshIdentities}, scoped to the
 * endpoint's environment). {@link #discover} only exchanges keys and reports the key presented.
 * Commands are fixed strings built by the callers' allow-lists. Blocking: call from worker threads,
 * never from an event loop.
 */
public final class PinnedSsh {

    /** Where to connect, as whom, and the one key to accept. */
    public record Endpoint(
            String name,
            String host,
            int port,
            String username,
            String trustedPublicKey,
            String trustedFingerprint,
            String keySource,
            String keyReference,
            String environment) {

        /** An endpoint that logs in with the control-plane identity. */
        public Endpoint(
                String name,
                String host,
                int port,
                String username,
                String trustedPublicKey,
                String trustedFingerprint) {
            this(name, host, port, username, trustedPublicKey, trustedFingerprint, null, null, null);
        }
    }

    /**
     * How to connect: the control-plane identity file (if any), the connect timeout, and the
     * keep-alive interval ({@code null}: none; three unanswered keep-alives end the session).
     */
    public record Settings(Optional<Path> identityFile, Duration connectTimeout, Duration keepAlive) {}

    /** The key a host presented ({@code publicKey} is "type base64"). */
    public record PresentedKey(String type, String publicKey, String fingerprint) {}

    /** What a short fixed command printed and how it ended (stdout and stderr each capped at 64 KiB). */
    public record Result(int exitStatus, String stdout, String stderr) {
        public boolean ok() {
            return exitStatus == 0;
        }
    }

    /** The host presented a key other than the trusted one (or none is trusted). */
    public static final class HostKeyRefused extends IOException {
        private final String expected;
        private final String presented;

        HostKeyRefused(String message, String expected, String presented) {
            super(message);
            this.expected = expected;
            this.presented = presented;
        }

        /** The trusted key's fingerprint ({@code null} when none is trusted). */
        public String expected() {
            return expected;
        }

        /** The presented key's fingerprint ({@code null} when none is trusted and no key was checked). */
        public String presented() {
            return presented;
        }
    }

    private static final int KEPT = 64 * 1024;

    private final SshIdentities identities;
    private final Settings settings;

    public PinnedSsh(SshIdentities identities, Settings settings) {
        this.identities = identities;
        this.settings = settings;
    }

    /**
     * What went wrong, in an operator's words: JSch's messages carry Java exception names
     * ({@code java.net.ConnectException: Connection refused}); these say what happened and keep the
     * system's own words (without the class name) in brackets where they add something.
     */
    public static String inWords(Throwable failure, int port) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = failure.getMessage() == null ? "" : failure.getMessage();
        String plain = withoutClassNames(root.getMessage() == null ? message : root.getMessage());
        String on = port > 0 ? " on port " + port : "";
        if (root instanceof java.net.UnknownHostException || message.contains("UnknownHostException")) {
            return "the host name " + (plain.isEmpty() ? "" : "\"" + plain + "\" ") + "could not be resolved";
        }
        if (root instanceof java.net.ConnectException || message.contains("ConnectException")) {
            return "nothing accepted the connection" + on + " (" + (plain.isEmpty() ? "connection refused" : plain)
                    + ")";
        }
        if (root instanceof java.net.NoRouteToHostException || message.contains("NoRouteToHostException")) {
            return "there is no network route to the host";
        }
        if (root instanceof java.net.SocketTimeoutException
                || message.contains("SocketTimeoutException")
                || message.startsWith("timeout")) {
            return "the host did not answer in time" + on;
        }
        if (message.startsWith("Auth fail") || message.startsWith("Auth cancel")) {
            return "the server refused the console's SSH key (is its public key in the user's authorized_keys?)";
        }
        if (message.contains("Connection reset") || message.contains("connection is closed by foreign host")) {
            return "the host closed the connection (" + plain + ")";
        }
        String words = withoutClassNames(message);
        return words.isEmpty() ? "the SSH connection failed" : words;
    }

    /** The text without Java class names ({@code java.net.ConnectException: }, {@code Session.connect: }). */
    static String withoutClassNames(String text) {
        return text.replaceAll("(?:[a-z][a-z0-9_]*\\.)+[A-Z][A-Za-z0-9_$]*(?:Exception|Error)\\s*:?\\s*", "")
                .replaceAll("^Session\\.connect:\\s*", "")
                .strip();
    }

    /** Exchanges keys with the host and reports what it presented; never logs in, never trusts. */
    public PresentedKey discover(String host, int port) throws IOException {
        PinnedHostKey discovering = PinnedHostKey.discovering();
        JSch jsch = new JSch();
        jsch.setHostKeyRepository(discovering);
        Session session = null;
        try {
            session = jsch.getSession("devops-console-discovery", host, port);
            session.setConfig("StrictHostKeyChecking", "yes");
            session.setConfig("PreferredAuthentications", "publickey");
            session.connect((int) settings.connectTimeout().toMillis());
            throw new IOException("host " + host + " accepted a session without presenting a host key");
        } catch (JSchException e) {
            if (discovering.presentedBase64() == null) {
                throw new IOException("could not reach " + host + ":" + port + " over SSH: " + inWords(e, port), e);
            }
            return new PresentedKey(
                    discovering.presentedType(),
                    discovering.presentedType() + " " + discovering.presentedBase64(),
                    discovering.presentedFingerprint());
        } finally {
            if (session != null) {
                session.disconnect();
            }
        }
    }

    /** Logs in, checking the host key strictly against the endpoint's one trusted key. */
    public Connection open(Endpoint endpoint) throws IOException {
        if (endpoint.trustedPublicKey() == null) {
            throw new HostKeyRefused(
                    "host " + endpoint.name() + " has no trusted host key: trust one first", null, null);
        }
        PinnedHostKey pinned = PinnedHostKey.trusting(endpoint.trustedPublicKey());
        JSch jsch = new JSch();
        jsch.setHostKeyRepository(pinned);
        Session session = null;
        try {
            identities.addTo(
                    jsch,
                    settings.identityFile(),
                    endpoint.keySource(),
                    endpoint.keyReference(),
                    endpoint.name(),
                    endpoint.environment());
            session = jsch.getSession(endpoint.username(), endpoint.host(), endpoint.port());
            session.setConfig("StrictHostKeyChecking", "yes");
            session.setConfig("HashKnownHosts", "no");
            session.setConfig("PreferredAuthentications", "publickey");
            // ask for the trusted key's algorithm first, so a host with several keys presents that one
            session.setConfig("server_host_key", pinned.preferredAlgorithms(session.getConfig("server_host_key")));
            if (settings.keepAlive() != null) {
                session.setServerAliveInterval((int) settings.keepAlive().toMillis());
                session.setServerAliveCountMax(3);
            }
            session.connect((int) settings.connectTimeout().toMillis());
            return new Connection(endpoint.name(), session, settings.connectTimeout());
        } catch (JSchException e) {
            if (session != null) {
                session.disconnect();
            }
            if (pinned.refusedAKey()) {
                throw new HostKeyRefused(
                        "host " + endpoint.name() + " presented host key " + pinned.presentedFingerprint()
                                + " but " + endpoint.trustedFingerprint()
                                + " is trusted: refused (an operator must re-trust the host"
                                + " through onboarding if the change is expected)",
                        endpoint.trustedFingerprint(),
                        pinned.presentedFingerprint());
            }
            throw new IOException(
                    "SSH login to " + endpoint.username() + "@" + endpoint.host() + ":" + endpoint.port() + " failed: "
                            + inWords(e, endpoint.port()),
                    e);
        }
    }

    /** One logged-in SSH connection: each command is one exec channel on it. */
    public static final class Connection implements AutoCloseable {
        private final String name;
        private final Session session;
        private final Duration connectTimeout;

        Connection(String name, Session session, Duration connectTimeout) {
            this.name = name;
            this.session = session;
            this.connectTimeout = connectTimeout;
        }

        /** Starts a long-running fixed command; its streams stay open until {@link Exec#close}. */
        public Exec exec(String command) throws IOException {
            ChannelExec exec = channel(command);
            TailBuffer stderr = new TailBuffer(4096);
            exec.setErrStream(stderr, true);
            try {
                InputStream stdout = exec.getInputStream();
                OutputStream stdin = exec.getOutputStream();
                exec.connect((int) connectTimeout.toMillis());
                return new Exec(exec, stdout, stdin, stderr);
            } catch (JSchException e) {
                exec.disconnect();
                throw new IOException("SSH channel to " + name + " failed: " + inWords(e, 0), e);
            }
        }

        public Result run(String command, Duration timeout) throws IOException {
            return run(command, null, timeout);
        }

        /** Runs a short fixed command, writing {@code input} (if any) to its stdin, and waits for its end. */
        public Result run(String command, byte[] input, Duration timeout) throws IOException {
            ChannelExec exec = channel(command);
            ByteArrayOutputStream stderr = new Capped();
            exec.setErrStream(stderr, true);
            try {
                InputStream stdout = exec.getInputStream();
                OutputStream stdin = exec.getOutputStream();
                exec.connect((int) timeout.toMillis());
                CommandRuns.Outcome done = CommandRuns.complete(exec, stdout, stdin, input, timeout, name);
                return new Result(done.exitStatus(), done.stdout(), stderr.toString(StandardCharsets.UTF_8));
            } catch (JSchException e) {
                throw new IOException("SSH command on " + name + " failed: " + e.getMessage(), e);
            } finally {
                exec.disconnect();
            }
        }

        private ChannelExec channel(String command) throws IOException {
            try {
                ChannelExec exec = (ChannelExec) session.openChannel("exec");
                exec.setCommand(command);
                return exec;
            } catch (JSchException e) {
                throw new IOException("SSH channel to " + name + " failed: " + inWords(e, 0), e);
            }
        }

        @Override
        public void close() {
            session.disconnect();
        }
    }

    /** One running command: its stdin and stdout; the last 4 KiB of stderr are kept for error reports. */
    public static final class Exec implements AutoCloseable {
        private final ChannelExec exec;
        private final InputStream stdout;
        private final OutputStream stdin;
        private final TailBuffer stderr;
        private Runnable onClose = () -> {};

        Exec(ChannelExec exec, InputStream stdout, OutputStream stdin, TailBuffer stderr) {
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

        /** Also closes the connection this command ran on (for one-command connections). */
        public Exec closingConnection(Connection connection) {
            this.onClose = connection::close;
            return this;
        }

        @Override
        public void close() {
            exec.disconnect();
            onClose.run();
        }
    }

    /** Keeps the last bytes written (a remote stderr). */
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
            return new String(all, from, all.length - from, StandardCharsets.UTF_8);
        }
    }

    /** Keeps the first 64 KiB written. */
    private static final class Capped extends ByteArrayOutputStream {
        @Override
        public synchronized void write(byte[] b, int off, int len) {
            super.write(b, off, Math.max(0, Math.min(len, KEPT - count)));
        }

        @Override
        public synchronized void write(int b) {
            if (count < KEPT) {
                super.write(b);
            }
        }
    }
}
