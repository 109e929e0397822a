package io.devopsconsole.agent.ssh;

import io.devopsconsole.agent.AgentConfig;
import io.devopsconsole.agent.inventory.Inventory;
import io.devopsconsole.platform.ssh.PinnedSsh;
import io.devopsconsole.platform.ssh.SshIdentities;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The runner's way onto targets: one pinned-host-key SSH connection per command ({@link PinnedSsh},
 * shared with onboarding) to the inventory's view of the target — its one trusted host key, its
 * login and key. Blocking: call it from a worker's own thread, never from an event loop.
 */
@ApplicationScoped
public class SshConnector {

    private final PinnedSsh ssh;

    public SshConnector(AgentConfig config, SshIdentities identities) {
        this.ssh = new PinnedSsh(
                identities,
                new PinnedSsh.Settings(
                        config.ssh().identityFile().map(Path::of),
                        config.ssh().connectTimeout(),
                        config.ssh().keepAlive()));
    }

    /** Starts a fixed command on the target; closing it also closes its connection. */
    public PinnedSsh.Exec exec(Inventory.Target target, String command) throws IOException {
        PinnedSsh.Connection connection = ssh.open(endpoint(target));
        try {
            return connection.exec(command).closingConnection(connection);
        } catch (IOException | RuntimeException e) {
            connection.close();
            throw e;
        }
    }

    /** Runs a short fixed command to its end (output capped at 64 KiB), within the timeout. */
    public PinnedSsh.Result run(Inventory.Target target, String command, Duration timeout) throws IOException {
        try (PinnedSsh.Connection connection = ssh.open(endpoint(target))) {
            return connection.run(command, timeout);
        }
    }

    /** The same, with {@code input} written to the command's standard input (then closed). */
    public PinnedSsh.Result run(Inventory.Target target, String command, byte[] input, Duration timeout)
            throws IOException {
        try (PinnedSsh.Connection connection = ssh.open(endpoint(target))) {
            return connection.run(command, input, timeout);
        }
    }

    private static PinnedSsh.Endpoint endpoint(Inventory.Target target) {
        return new PinnedSsh.Endpoint(
                target.name(),
                target.host(),
                target.port(),
                target.username(),
                target.hostPublicKey(),
                target.hostKeyFingerprint(),
                target.keySource(),
                target.keyReference(),
                target.environment());
    }
}
