package io.devopsconsole.testkit.codex;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * A test host for whole-stack tests (the browser test): Debian OpenSSH on 127.0.0.1 that authorizes
 * the console's control-plane key, with the real {@code codex} binary on its PATH, a CODEX_HOME
 * pointing at a scripted model server started here, and a HOME of its own under {@code dir}. Writes what a test needs to register and trust
 * the host — SSH port, login user, host key, model URL — as JSON to {@code info} once listening,
 * then runs until killed.
 * {@code java ... CodexTestHost <dir> <control-plane.pub> <codex binary> <info.json> [delta delay ms=50]}
 */
public final class CodexTestHost {

    private CodexTestHost() {}

    /**
     * The package and service managers of this host are recording shims (calls appended to
     * {@code dir/shim-calls.log}): a host workflow such as Cockpit setup runs its real, fixed command
     * sequence here without installing anything on the machine running the tests. {@code apt install
     * cockpit} marks the package installed; {@code systemctl enable --now cockpit.socket} then marks the
     * socket listening, which {@code ss} reports as port 9090.
     */
    static void shims(Path bin, Path dir) throws java.io.IOException {
        String log = dir.resolve("shim-calls.log").toString();
        String state = dir.resolve("shim-state").toString();
        Files.createDirectories(Path.of(state));
        String record = "#!/bin/sh\necho \"$(basename \"$0\") $*\" >> '" + log + "'\n";
        shim(bin, "sudo", "#!/bin/sh\necho \"sudo $*\" >> '" + log + "'\n[ \"$1\" = \"-n\" ] && shift\nexec \"$@\"\n");
        shim(
                bin,
                "apt",
                record + "case \"$1\" in\n  update) echo 'Reading package lists... Done';;\n"
                        + "  install) shift; for p in \"$@\"; do [ \"$p\" = cockpit ] && touch '" + state
                        + "/cockpit'; [ \"$p\" = -y ] || echo \"Setting up $p\"; done;;\nesac\nexit 0\n");
        shim(
                bin,
                "systemctl",
                record + "if [ \"$1 $2 $3\" = 'enable --now cockpit.socket' ] && [ -f '" + state + "/cockpit' ]; then\n"
                        + "  touch '" + state + "/cockpit.socket'; echo 'Created symlink cockpit.socket'; exit 0\nfi\n"
                        + "echo \"systemctl $*: not available on this test host\" >&2; exit 1\n");
        shim(bin, "ss", record + "[ -f '" + state + "/cockpit.socket' ] && echo 'LISTEN 0 4096 *:9090 *:*'\nexit 0\n");
    }

    private static void shim(Path bin, String name, String body) throws java.io.IOException {
        Path file = bin.resolve(name);
        Files.writeString(file, body);
        Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]).toAbsolutePath();
        String authorized = Files.readString(Path.of(args[1])).strip();
        Path codex = Path.of(args[2]);
        Path info = Path.of(args[3]);
        long delay = args.length > 4 ? Long.parseLong(args[4]) : 50;
        Files.createDirectories(dir);
        ScriptedModelServer model = ScriptedModelServer.start("127.0.0.1", delay);
        Path home = CodexHome.write(dir.resolve("codex-home"), model.baseUrl());
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Files.deleteIfExists(bin.resolve("codex"));
        Files.createSymbolicLink(bin.resolve("codex"), codex);
        shims(bin, dir);
        Path work = Files.createDirectories(dir.resolve("work"));
        // the login user's HOME is the host's own folder: what onboarding provisions (~/.codex/auth.json) stays here
        Path userHome = Files.createDirectories(dir.resolve("home"));
        String path = bin + ":" + codex.getParent().getParent().resolve("codex-path") + ":/usr/local/bin:/usr/bin:/bin";
        OpenSshServer sshd = OpenSshServer.start(
                dir.resolve("sshd"),
                authorized,
                Map.of("PATH", path, "CODEX_HOME", home.toString(), "HOME", userHome.toString()));
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            sshd.close();
            model.close();
        }));
        String[] key = sshd.hostKeyLine().split("\\s+");
        Path tmp = info.resolveSibling(info.getFileName() + ".tmp");
        new ObjectMapper()
                .writeValue(
                        tmp.toFile(),
                        Map.of(
                                "ssh_port",
                                sshd.port(),
                                "user",
                                System.getProperty("user.name"),
                                "host_key_type",
                                key[0],
                                "host_key",
                                key[1],
                                "model_base_url",
                                model.baseUrl(),
                                "work_dir",
                                work.toString(),
                                "home",
                                userHome.toString()));
        Files.move(tmp, info, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        System.out.println("codex test host: ssh 127.0.0.1:" + sshd.port() + ", model " + model.baseUrl());
        new CountDownLatch(1).await();
    }
}
