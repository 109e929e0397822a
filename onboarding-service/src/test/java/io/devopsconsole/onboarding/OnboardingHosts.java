package io.devopsconsole.onboarding;

import com.jcraft.jsch.JSch;
import com.jcraft.jsch.KeyPair;
import io.devopsconsole.testkit.codex.OpenSshServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The hosts onboarding tests work on: Debian's OpenSSH on loopback, logging in as a dedicated
 * unprivileged user this setup creates ({@value #USER}), whose PATH starts with recording shims:
 * {@code sudo}, {@code apt}, {@code npm} (and, once "installed", {@code codex}, {@code bwrap},
 * {@code wg}, {@code wg-quick}) append their argv to {@code ~/shim-calls.log} and change nothing
 * outside that user's home. Probes (hostname, whoami, pwd, node) run for real.
 */
public class OnboardingHosts implements QuarkusTestResourceLifecycleManager {

    public static final String USER = "devops-onb";
    static final Path HOME = Path.of("/home/" + USER);
    static final Path SHIMS = HOME.resolve("shims");
    static final Path STORE = HOME.resolve("shim-store");

    private static OpenSshServer primary;
    private static OpenSshServer secondary;
    private static OpenSshServer production;
    private static String publicKey;
    private static int registryPort;

    public static OpenSshServer host() {
        return primary;
    }

    /** A second host (own host key and port) for tests that rebuild a host. */
    public static OpenSshServer otherHost() {
        return secondary;
    }

    /**
     * A host (own host key and port) onboarded only as production: an SSH endpoint and a host key
     * belong to one environment (ADR 0019), and the other hosts are onboarded as lab.
     */
    public static OpenSshServer productionHost() {
        return production;
    }

    public static int registryPort() {
        return registryPort;
    }

    @Override
    public Map<String, String> start() {
        try {
            createUser();
            resetShims();
            Path keys = Files.createTempDirectory("onboarding-keys");
            KeyPair pair = KeyPair.genKeyPair(new JSch(), KeyPair.ECDSA, 256);
            Path identity = keys.resolve("control-plane");
            try (OutputStream out = Files.newOutputStream(identity)) {
                pair.writePrivateKey(out);
            }
            Files.setPosixFilePermissions(identity, PosixFilePermissions.fromString("rw-------"));
            ByteArrayOutputStream pub = new ByteArrayOutputStream();
            pair.writePublicKey(pub, "devops-console-onboarding-test");
            publicKey = pub.toString(StandardCharsets.UTF_8).trim();
            Path base =
                    Path.of(System.getProperty("user.dir"), "target", "hosts").toAbsolutePath();
            Map<String, String> env = Map.of("PATH", SHIMS + ":/usr/local/bin:/usr/bin:/bin");
            primary = OpenSshServer.start(base.resolve("primary"), publicKey, env);
            secondary = OpenSshServer.start(base.resolve("secondary"), publicKey, env);
            production = OpenSshServer.start(base.resolve("production"), publicKey, env);
            try (ServerSocket s = new ServerSocket(0)) {
                registryPort = s.getLocalPort();
            }
            Path imports = Files.createDirectories(keys.resolve("auth-import"));
            return Map.of(
                    "devops.onboarding.ssh.identity-file",
                    identity.toString(),
                    "devops.onboarding.registry-url",
                    "http://127.0.0.1:" + registryPort,
                    "devops.onboarding.auth-import-directory",
                    imports.toString(),
                    "devops.secrets.local.key-file",
                    keys.resolve("secrets/local.key").toString());
        } catch (Exception e) {
            throw new IllegalStateException("could not start the onboarding test hosts", e);
        }
    }

    private static void createUser() throws IOException, InterruptedException {
        if (run(List.of("id", USER)) != 0) {
            must(List.of("useradd", "-m", "-s", "/bin/sh", USER));
        }
        // '*': no password, but not a locked account (sshd without PAM refuses locked ones)
        must(List.of("usermod", "-p", "*", USER));
    }

    /**
     * Back to a host without codex, bubblewrap, WireGuard tools or profile, auth file or failure
     * switches, and an empty call log (the user's home outlives test runs on this machine).
     */
    public static void resetShims() throws IOException, InterruptedException {
        must(List.of(
                "rm",
                "-rf",
                SHIMS.toString(),
                STORE.toString(),
                HOME.resolve("shim-calls.log").toString(),
                HOME.resolve(".codex").toString(),
                HOME.resolve("wg-state").toString(),
                HOME.resolve("fail").toString(),
                HOME.resolve("slow").toString(),
                HOME.resolve("wg").toString(),
                HOME.resolve("wg-silent-peer").toString(),
                HOME.resolve("cockpit-installed").toString(),
                HOME.resolve("cockpit-socket").toString(),
                HOME.resolve("projects").toString()));
        Files.createDirectories(SHIMS);
        Files.createDirectories(STORE);
        String record = "#!/bin/sh\necho \"$(basename \"$0\") $*\" >> \"$HOME/shim-calls.log\"\n";
        String failHook = "[ -f \"$HOME/slow/$(basename \"$0\")\" ] && sleep 3\n"
                + "[ -f \"$HOME/fail/$(basename \"$0\")\" ] && { echo \"$(basename \"$0\"): failing as asked\" >&2; exit 100; }\n";
        shim(
                SHIMS,
                "sudo",
                "#!/bin/sh\necho \"sudo $*\" >> \"$HOME/shim-calls.log\"\n[ \"$1\" = \"-n\" ] && shift\nexec \"$@\"\n");
        shim(
                SHIMS,
                "apt",
                record + failHook
                        + "case \"$1\" in\n"
                        + "  update) echo 'Reading package lists... Done';;\n"
                        + "  install) shift; for p in \"$@\"; do case \"$p\" in\n"
                        + "      bubblewrap) cp \"$HOME/shim-store/bwrap\" \"$HOME/shims/bwrap\";;\n"
                        + "      wireguard-tools) cp \"$HOME/shim-store/wg\" \"$HOME/shim-store/wg-quick\" \"$HOME/shims/\";;\n"
                        + "      cockpit) touch \"$HOME/cockpit-installed\";;\n"
                        + "    esac; echo \"Setting up $p\"; done;;\n"
                        + "esac\nexit 0\n");
        shim(
                SHIMS,
                "npm",
                record + failHook
                        + "case \"$1\" in\n"
                        + "  --version) echo 10.9.2;;\n"
                        + "  install) [ \"$2\" = -g ] && [ \"$3\" = @openai/codex ] && cp \"$HOME/shim-store/codex\" \"$HOME/shims/codex\";"
                        + " echo 'added 1 package';;\n"
                        + "esac\nexit 0\n");
        // Cockpit: systemctl starts the socket only once the package is "installed"; ss then shows port 9090
        shim(
                SHIMS,
                "systemctl",
                record + failHook
                        + "if [ \"$1 $2 $3\" = 'enable --now cockpit.socket' ]; then\n"
                        + "  [ -f \"$HOME/cockpit-installed\" ] || { echo 'Failed to enable unit: Unit file cockpit.socket"
                        + " does not exist.' >&2; exit 1; }\n"
                        + "  touch \"$HOME/cockpit-socket\"; echo 'Created symlink cockpit.socket'; exit 0\n"
                        + "fi\nexit 1\n");
        shim(
                SHIMS,
                "ss",
                record + "[ -f \"$HOME/cockpit-socket\" ] && echo 'LISTEN 0      4096         *:9090        *:*'\n"
                        + "exit 0\n");
        shim(STORE, "codex", record + "[ \"$1\" = --version ] && echo 'codex-cli 0.169.0'\nexit 0\n");
        shim(STORE, "bwrap", record + "[ \"$1\" = --version ] && echo 'bubblewrap 0.8.0'\nexit 0\n");
        shim(
                STORE,
                "wg-quick",
                record + failHook
                        + "mkdir -p \"$HOME/wg-state\"\n"
                        + "case \"$1\" in\n"
                        + "  up) [ -f \"$HOME/wg-state/$2\" ] && { echo \"wg-quick: '$2' already exists\" >&2; exit 1; };"
                        + " echo \"[#] ip link add $2 type wireguard\"; touch \"$HOME/wg-state/$2\";;\n"
                        + "  down) [ -f \"$HOME/wg-state/$2\" ] || { echo \"wg-quick: '$2' is not a WireGuard interface\" >&2; exit 1; };"
                        + " rm -f \"$HOME/wg-state/$2\"; echo \"[#] ip link delete dev $2\";;\n"
                        + "esac\n");
        shim(
                STORE,
                "wg",
                record
                        + "[ \"$1\" = show ] || exit 1\n"
                        + "[ -f \"$HOME/wg-state/$2\" ] || { echo \"Unable to access interface: No such device\" >&2; exit 1; }\n"
                        + "peer='xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg='\n"
                        + "if [ -f \"$HOME/wg-silent-peer\" ]; then hs=0; rx=0; else hs=$(date +%s); rx=9216; fi\n"
                        + "case \"$3\" in\n"
                        + "  peers) echo \"$peer\";;\n"
                        + "  latest-handshakes) printf '%s\\t%s\\n' \"$peer\" \"$hs\";;\n"
                        + "  transfer) printf '%s\\t%s\\t%s\\n' \"$peer\" \"$rx\" 4096;;\n"
                        + "  endpoints) printf '%s\\t%s\\n' \"$peer\" 203.0.113.7:51820;;\n"
                        + "esac\n");
        must(List.of("chown", "-R", USER + ":" + USER, SHIMS.toString(), STORE.toString()));
    }

    private static void shim(Path dir, String name, String body) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, body);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /** The control-plane key's public line, as the test hosts authorize it. */
    public static String controlPlanePublicKey() {
        return publicKey;
    }

    /** Every shim call so far, one line each ("program arg1 arg2 ..."). */
    public static List<String> calls() throws IOException {
        Path log = HOME.resolve("shim-calls.log");
        return Files.exists(log) ? Files.readAllLines(log) : new ArrayList<>();
    }

    /** Makes the named shim fail (exit 100) until the shims are reset. */
    /** Makes the named shim take 3 s (then do what it does) until the shims are reset. */
    public static void slow(String program) throws IOException, InterruptedException {
        Path dir = Files.createDirectories(HOME.resolve("slow"));
        Files.writeString(dir.resolve(program), "");
        must(List.of("chown", "-R", USER + ":" + USER, dir.toString()));
    }

    public static void failing(String program) throws IOException, InterruptedException {
        Path dir = Files.createDirectories(HOME.resolve("fail"));
        Files.writeString(dir.resolve(program), "");
        must(List.of("chown", "-R", USER + ":" + USER, dir.toString()));
    }

    /** Writes a file into the test user's home, owned by that user, with the given mode. */
    public static Path userFile(String relative, String content, String mode) throws IOException, InterruptedException {
        Path file = HOME.resolve(relative);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
        must(List.of(
                "chown",
                "-R",
                USER + ":" + USER,
                HOME.resolve(relative.split("/")[0]).toString()));
        return file;
    }

    public static Path home() {
        return HOME;
    }

    private static int run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return -1;
        }
        return p.exitValue();
    }

    private static void must(List<String> command) throws IOException, InterruptedException {
        if (run(command) != 0) {
            throw new IOException(String.join(" ", command) + " failed");
        }
    }

    @Override
    public void stop() {
        if (primary != null) {
            primary.close();
        }
        if (production != null) {
            production.close();
        }
        if (secondary != null) {
            secondary.close();
        }
    }
}
