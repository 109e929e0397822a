package io.devopsconsole.onboarding.ssh;

import io.devopsconsole.platform.ssh.PinnedSsh;
import io.devopsconsole.platform.ssh.SshIdentities;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * SSH to hosts being onboarded, through the control plane's one pinned-host-key client
 * ({@link PinnedSsh}, shared with the agent-runner): {@link #discover} completes only the key
 * exchange and reports the host key presented (nothing is trusted, no login happens); {@link #open}
 * logs in only if the host presents exactly the trusted key ({@link PinnedSsh.HostKeyRefused}
 * otherwise). Commands are the fixed strings of {@link RemoteCommands}. Blocking: call from worker
 * threads.
 */
@ApplicationScoped
public class HostSsh {

    private final PinnedSsh ssh;
    private final Counter connections;

    public HostSsh(
            io.devopsconsole.onboarding.OnboardingConfig config, SshIdentities identities, MeterRegistry meters) {
        this.ssh = new PinnedSsh(
                identities,
                new PinnedSsh.Settings(
                        Optional.of(Path.of(config.ssh().identityFile())),
                        config.ssh().connectTimeout(),
                        null));
        this.connections = Counter.builder("onboarding_ssh_connections_total")
                .description("SSH connections onboarding opened (discovery and logins)")
                .register(meters);
    }

    /** Exchanges keys with the host and reports what it presented; never logs in, never trusts. */
    public PinnedSsh.PresentedKey discover(String host, int port) throws IOException {
        connections.increment();
        return ssh.discover(host, port);
    }

    /** Logs in (strict host key checking against the one trusted key). */
    public PinnedSsh.Connection open(PinnedSsh.Endpoint endpoint) throws IOException {
        if (endpoint.trustedPublicKey() == null) {
            throw new IOException("host " + endpoint.name() + " has no trusted host key: trust one first");
        }
        connections.increment();
        return ssh.open(endpoint);
    }
}
