package io.devopsconsole.agent;

import com.jcraft.jsch.JSch;
import com.jcraft.jsch.KeyPair;
import io.devopsconsole.testkit.codex.CodexHome;
import io.devopsconsole.testkit.codex.OpenSshServer;
import io.devopsconsole.testkit.codex.ScriptedModelServer;
import io.devopsconsole.testkit.codex.TestSshServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

/**
 * The target hosts of this module's tests, reached with one control-plane key pair made for the
 * run (its private key file is the runner's identity; the public key is authorized on each host):
 * <ul>
 * <li>fast tier: the in-JVM SSH server running the scripted app-server;</li>
 * <li>real tier: Debian OpenSSH on loopback whose sessions find the real {@code codex} (the pinned
 *     version the build installs into its cache folder) on their PATH, with a CODEX_HOME of this
 *     run, and the scripted Responses-API model server that codex talks to.</li>
 * </ul>
 */
public class SshHostResource implements QuarkusTestResourceLifecycleManager {

    public static final String CODEX_VERSION = io.devopsconsole.testkit.codex.CodexHome.CODEX_VERSION;

    private static TestSshServer server;
    private static OpenSshServer openssh;
    private static ScriptedModelServer model;
    private static Path realDir;

    public static TestSshServer server() {
        return server;
    }

    public static OpenSshServer openssh() {
        return openssh;
    }

    public static ScriptedModelServer model() {
        return model;
    }

    /** Where real-tier working directories go (a path the runner accepts: absolute, safe segments). */
    public static Path realWork() {
        return realDir.resolve("work");
    }

    /** Where the real tier's durable app-servers keep their sockets (the tests stop every one they started). */
    /** Adds a public key to the real-tier sshd's authorized keys (read per connection). */
    public static void authorizeOnOpenSsh(String publicKeyLine) throws java.io.IOException {
        Files.writeString(
                realDir.resolve("sshd/authorized_keys"),
                publicKeyLine.strip() + "\n",
                java.nio.file.StandardOpenOption.APPEND);
    }

    public static Path stateDirectory() {
        return realDir.resolve("app-servers");
    }

    /** Stops every durable app-server of this run's real tier (and leftovers of an earlier, interrupted run). */
    public static void stopAppServers() {
        try {
            new ProcessBuilder("pkill", "-f", "unix://" + realDir.resolve("app-servers"))
                    .start()
                    .waitFor();
        } catch (Exception ignored) {
            // nothing to stop
        }
    }

    /** A Codex-ready target on the real tier's OpenSSH host (logging in as this test's user). */
    public static java.util.UUID realTarget(String prefix) throws java.io.IOException {
        return Runner.target(
                prefix + "-" + java.util.UUID.randomUUID().toString().substring(0, 6),
                openssh.port(),
                System.getProperty("user.name"),
                openssh.hostKeyLine(),
                "ready");
    }

    /** Codex options that point the real binary at the scripted model server. */
    public static io.devopsconsole.events.registry.RuntimeProfileState.CodexOptions realOptions(String approvalPolicy) {
        return new io.devopsconsole.events.registry.RuntimeProfileState.CodexOptions(
                "mock-model", "mock", model.baseUrl(), approvalPolicy, "workspace-write");
    }

    public static Path codexBinary() {
        return io.devopsconsole.testkit.codex.CodexHome.binary();
    }

    @Override
    public Map<String, String> start() {
        try {
            server = TestSshServer.start();
            Path keyDir = Files.createTempDirectory("agent-runner-keys");
            KeyPair pair = KeyPair.genKeyPair(new JSch(), KeyPair.ECDSA, 256);
            Path identity = keyDir.resolve("control-plane");
            try (OutputStream out = Files.newOutputStream(identity)) {
                pair.writePrivateKey(out);
            }
            Files.setPosixFilePermissions(identity, PosixFilePermissions.fromString("rw-------"));
            ByteArrayOutputStream pub = new ByteArrayOutputStream();
            pair.writePublicKey(pub, "devops-console-test");
            String publicKey = pub.toString(StandardCharsets.UTF_8).trim();
            server.authorize(publicKey);
            startRealTier(publicKey);
            return Map.of(
                    "devops.agent.ssh.identity-file",
                    identity.toString(),
                    "devops.secrets.local.key-file",
                    keyDir.resolve("secrets/local.key").toString(),
                    "devops.agent.codex.state-directory",
                    stateDirectory().toString());
        } catch (Exception e) {
            throw new IllegalStateException("could not start the test SSH hosts", e);
        }
    }

    private static void startRealTier(String publicKey) throws Exception {
        Path codex = codexBinary();
        if (!Files.isExecutable(codex)) {
            throw new IllegalStateException(
                    "the real codex binary is missing at " + codex + ": the build installs it (scripts/install-codex)");
        }
        realDir = Path.of(System.getProperty("user.dir"), "target", "real-tier").toAbsolutePath();
        // working directories start empty each run: the tests judge approvals by what exists afterwards
        if (Files.exists(realDir.resolve("work"))) {
            try (var walk = Files.walk(realDir.resolve("work"))) {
                walk.sorted(java.util.Comparator.reverseOrder())
                        .forEach(p -> p.toFile().delete());
            }
        }
        Files.createDirectories(realDir.resolve("work"));
        stopAppServers();
        Path bin = Files.createDirectories(realDir.resolve("bin"));
        Files.deleteIfExists(bin.resolve("codex"));
        Files.createSymbolicLink(bin.resolve("codex"), codex);
        model = ScriptedModelServer.start();
        // a CODEX_HOME of this run, outside /tmp; retries off so failures surface at once
        Path home = CodexHome.write(realDir.resolve("codex-home"), model.baseUrl());
        String path = bin + ":" + codex.getParent().getParent().resolve("codex-path") + ":/usr/local/bin:/usr/bin:/bin";
        openssh = OpenSshServer.start(
                realDir.resolve("sshd"),
                publicKey,
                Map.of("PATH", path, "CODEX_HOME", home.toString(), "RUST_LOG", "warn"));
    }

    @Override
    public void stop() {
        try {
            if (server != null) {
                server.close();
            }
            if (openssh != null) {
                stopAppServers();
                openssh.close();
            }
            if (model != null) {
                model.close();
            }
        } catch (Exception ignored) {
            // test end
        }
    }
}
