package io.devopsconsole.testkit.codex;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Debian's OpenSSH server on 127.0.0.1 for the real tier: its own host key, config, authorized
 * keys and environment for sessions ({@code SetEnv}), started and stopped by PID. Installs the
 * {@code openssh-server} package first when {@code /usr/sbin/sshd} is missing (the machine's
 * package manager is the only source). Runs as the current user (root here), like the console's
 * SSH user on a lab host.
 */
public final class OpenSshServer implements AutoCloseable {

    private static final Path SSHD = Path.of("/usr/sbin/sshd");

    private final Path dir;
    private final int port;
    private Process process;

    private OpenSshServer(Path dir, int port, Process process) {
        this.dir = dir;
        this.port = port;
        this.process = process;
    }

    /**
     * Starts sshd authorizing {@code authorizedKey} (an OpenSSH public key line); {@code env} is set
     * for every session (PATH, CODEX_HOME, ...).
     */
    public static OpenSshServer start(Path dir, String authorizedKey, Map<String, String> env)
            throws IOException, InterruptedException {
        ensureInstalled();
        Files.createDirectories(dir);
        Files.createDirectories(Path.of("/run/sshd"));
        Path hostKey = dir.resolve("host_ed25519");
        if (!Files.exists(hostKey)) {
            run(List.of(
                    "ssh-keygen",
                    "-q",
                    "-t",
                    "ed25519",
                    "-N",
                    "",
                    "-C",
                    "devops-console-test-host",
                    "-f",
                    hostKey.toString()));
        }
        Path authorized = dir.resolve("authorized_keys");
        Files.writeString(authorized, authorizedKey.strip() + "\n");
        // readable by the login user too (a public key; the tests may log in as an unprivileged user)
        Files.setPosixFilePermissions(authorized, PosixFilePermissions.fromString("rw-r--r--"));
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        StringBuilder config = new StringBuilder()
                .append("Port ")
                .append(port)
                .append('\n')
                .append("ListenAddress 127.0.0.1\n")
                .append("HostKey ")
                .append(hostKey)
                .append('\n')
                .append("AuthorizedKeysFile ")
                .append(authorized)
                .append('\n')
                .append("PasswordAuthentication no\nKbdInteractiveAuthentication no\nUsePAM no\nStrictModes no\n")
                .append("PermitRootLogin prohibit-password\nPidFile ")
                .append(dir.resolve("sshd.pid"))
                .append('\n')
                .append("LogLevel INFO\n");
        if (!env.isEmpty()) {
            config.append("SetEnv");
            env.forEach((k, v) -> config.append(' ').append(k).append('=').append(v));
            config.append('\n');
        }
        Path cfg = dir.resolve("sshd_config");
        Files.writeString(cfg, config.toString());
        return new OpenSshServer(dir, port, launch(dir, port));
    }

    private static Process launch(Path dir, int port) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(
                        SSHD.toString(),
                        "-D",
                        "-e",
                        "-f",
                        dir.resolve("sshd_config").toString())
                .redirectErrorStream(true)
                .redirectOutput(
                        ProcessBuilder.Redirect.appendTo(dir.resolve("sshd.log").toFile()))
                .start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new IOException("sshd exited: " + Files.readString(dir.resolve("sshd.log")));
            }
            try (Socket ignored = new Socket("127.0.0.1", port)) {
                return p;
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        p.destroyForcibly();
        throw new IOException("sshd did not listen on " + port);
    }

    /**
     * The host is rebuilt with a new host key on the same address and port (what a reinstalled or
     * impersonated server looks like to a client that trusted the old key).
     */
    public void replaceHostKey() throws IOException, InterruptedException {
        close();
        Path hostKey = dir.resolve("host_ed25519");
        Files.deleteIfExists(hostKey);
        Files.deleteIfExists(dir.resolve("host_ed25519.pub"));
        run(List.of(
                "ssh-keygen",
                "-q",
                "-t",
                "ed25519",
                "-N",
                "",
                "-C",
                "devops-console-test-host-rebuilt",
                "-f",
                hostKey.toString()));
        process = launch(dir, port);
    }

    private static void ensureInstalled() throws IOException, InterruptedException {
        if (Files.isExecutable(SSHD)) {
            return;
        }
        run(List.of("apt-get", "update", "-qq"));
        run(List.of("env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "install", "-y", "-qq", "openssh-server"));
        if (!Files.isExecutable(SSHD)) {
            throw new IOException("openssh-server could not be installed");
        }
    }

    public int port() {
        return port;
    }

    /** The host key as an OpenSSH public key line. */
    public String hostKeyLine() throws IOException {
        String[] parts =
                Files.readString(dir.resolve("host_ed25519.pub")).strip().split("\\s+");
        return parts[0] + " " + parts[1];
    }

    /** Kills every per-connection sshd process (the master keeps listening): an SSH drop, as the network does it. */
    public int dropConnections() {
        List<ProcessHandle> children = new ArrayList<>();
        process.toHandle().children().forEach(children::add);
        children.forEach(ProcessHandle::destroyForcibly);
        return children.size();
    }

    /**
     * The host goes dark without closing anything: sshd and every per-connection process are stopped
     * (SIGSTOP), so open connections carry no data and new ones get no answer, as on a stalled path.
     * Processes that left sshd's tree (durable app-servers) run on. {@link #thaw()} undoes it.
     */
    public void freeze() throws IOException, InterruptedException {
        signal("-STOP");
    }

    public void thaw() throws IOException, InterruptedException {
        signal("-CONT");
    }

    private void signal(String signal) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("kill", signal, Long.toString(process.pid())));
        process.toHandle().descendants().forEach(h -> command.add(Long.toString(h.pid())));
        // a per-connection process may end between the listing and the signal: that one is simply gone
        Process kill = new ProcessBuilder(command).redirectErrorStream(true).start();
        kill.getInputStream().readAllBytes();
        kill.waitFor(30, TimeUnit.SECONDS);
    }

    private static void run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + out);
        }
    }

    @Override
    public void close() {
        process.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
