package io.devopsconsole.testkit.codex;

import java.io.IOException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.sshd.common.config.keys.AuthorizedKeyEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.common.session.SessionContext;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.AbstractCommandSupport;
import org.apache.sshd.server.command.Command;

/**
 * An in-JVM SSH server (Apache MINA SSHD) on 127.0.0.1 standing in for a target host in fast
 * tests: public-key authentication against the keys the test authorizes, an ECDSA host key the
 * test can rotate (to prove that a changed key is refused), and one command: anything that runs
 * {@code app-server} gets a {@link ScriptedAppServer} on the channel's stdin/stdout. Every
 * command line received is recorded, so a test can check exactly what a client sent.
 */
public final class TestSshServer implements AutoCloseable {

    private final SshServer server;
    private final AtomicReference<KeyPair> hostKey = new AtomicReference<>(generate());
    private final Set<PublicKey> authorized = ConcurrentHashMap.newKeySet();
    private final List<String> commands = new CopyOnWriteArrayList<>();
    private final Set<String> threads = ConcurrentHashMap.newKeySet();

    private TestSshServer() throws IOException {
        server = SshServer.setUpDefaultServer();
        server.setHost("127.0.0.1");
        server.setPort(0);
        server.setKeyPairProvider(new KeyPairProvider() {
            @Override
            public Iterable<KeyPair> loadKeys(SessionContext session) {
                return List.of(hostKey.get());
            }
        });
        server.setPublickeyAuthenticator((user, key, session) -> authorized.contains(key));
        server.setPasswordAuthenticator(null);
        server.setKeyboardInteractiveAuthenticator(null);
        server.setCommandFactory(this::command);
        server.start();
    }

    public static TestSshServer start() throws IOException {
        return new TestSshServer();
    }

    public int port() {
        return server.getPort();
    }

    /** Accepts a client key given as an OpenSSH public key line ({@code ssh-ed25519 AAAA... comment}). */
    public void authorize(String publicKeyLine) throws Exception {
        authorized.add(AuthorizedKeyEntry.parseAuthorizedKeyEntry(publicKeyLine)
                .resolvePublicKey(null, PublicKeyEntryResolver.IGNORING));
    }

    /** Lets this key log in (a client of the test's own, e.g. the relay bench's direct floor). */
    public void authorize(PublicKey key) {
        authorized.add(key);
    }

    /** The host key as an OpenSSH public key line ({@code ecdsa-sha2-nistp256 AAAA...}). */
    public String hostKeyLine() {
        return PublicKeyEntry.toString(hostKey.get().getPublic());
    }

    /** Presents a new host key from now on (what a reinstalled or impersonated host looks like). */
    public void rotateHostKey() {
        hostKey.set(generate());
    }

    /** Every command line a client asked to execute, in order. */
    public List<String> commands() {
        return List.copyOf(commands);
    }

    /** Cuts every open connection, as a network drop would. */
    public void dropConnections() {
        for (var session : server.getActiveSessions()) {
            session.close(true);
        }
    }

    public int openSessions() {
        return server.getActiveSessions().size();
    }

    private Command command(ChannelSession channel, String command) {
        commands.add(command);
        return new AbstractCommandSupport(command, null) {
            @Override
            public void run() {
                if (!command.contains("app-server") || command.contains("app-server proxy")) {
                    // like a codex without the durable mode: the runner falls back to stdio
                    try {
                        getErrorStream().write(("not allowed on this test host: " + command + "\n").getBytes());
                        getErrorStream().flush();
                    } catch (IOException ignored) {
                        // closing anyway
                    }
                    onExit(127);
                    return;
                }
                try {
                    new ScriptedAppServer(getInputStream(), getOutputStream(), threads, 0).serve();
                    onExit(0);
                } catch (IOException e) {
                    onExit(1, e.getMessage());
                }
            }
        };
    }

    private static KeyPair generate() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return g.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() throws IOException {
        server.stop(true);
    }
}
