package io.devopsconsole.onboarding.ssh;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Every command onboarding runs on a host. They are fixed strings; the only variable parts are a
 * WireGuard interface name and a config file path, each checked against a strict pattern and then
 * single-quoted, so no input can change what runs. A non-root SSH user gets {@code sudo -n} in
 * front of the commands that need root (never a password prompt).
 */
public final class RemoteCommands {

    /** Linux interface names as the registry accepts them. */
    public static final Pattern INTERFACE =
            Pattern.compile(io.devopsconsole.platform.validation.WireGuardNames.INTERFACE);
    /** An absolute path of plain segments (no '..', no spaces, no shell characters). */
    public static final Pattern CONFIG_PATH =
            Pattern.compile(io.devopsconsole.platform.validation.WireGuardNames.CONFIG_PATH);

    /** The facts the probe reads: hostname, whoami, pwd, codex --version. */
    public static final String PROBE = "printf 'hostname=%s\\n' \"$(hostname 2>/dev/null)\";"
            + " printf 'whoami=%s\\n' \"$(whoami 2>/dev/null)\";"
            + " printf 'pwd=%s\\n' \"$(pwd)\";"
            + " printf 'codex=%s\\n' \"$(codex --version 2>/dev/null | head -n 1)\"";

    /** The readiness facts: the probe's plus node, npm and bubblewrap (each empty when missing). */
    public static final String READINESS = PROBE
            + "; printf 'node=%s\\n' \"$(node --version 2>/dev/null | head -n 1)\";"
            + " printf 'npm=%s\\n' \"$(npm --version 2>/dev/null | head -n 1)\";"
            + " printf 'bwrap=%s\\n' \"$(bwrap --version 2>/dev/null | head -n 1)\";"
            + " printf 'uid=%s\\n' \"$(id -u)\"";

    /** Writes stdin to {@code $HOME/.codex/auth.json} (mode 600, directory 700) atomically, then prints mode and size. */
    public static final String PROVISION_AUTH = "umask 077 && mkdir -p \"$HOME/.codex\" && chmod 700 \"$HOME/.codex\""
            + " && t=\"$HOME/.codex/.auth.json.$$\" && cat > \"$t\" && chmod 600 \"$t\""
            + " && mv -f \"$t\" \"$HOME/.codex/auth.json\" && stat -c 'mode=%a size=%s' \"$HOME/.codex/auth.json\"";

    /** Prints the auth file (read back into the secret store, never logged). */
    public static final String COLLECT_AUTH = "cat \"$HOME/.codex/auth.json\"";

    /** The WireGuard tools, present or not. */
    public static final String WG_TOOLING =
            "printf 'wg=%s\\n' \"$(command -v wg)\"; printf 'wg_quick=%s\\n' \"$(command -v wg-quick)\"";

    private RemoteCommands() {}

    /** The fixed install sequence of FEATURES.md, for this SSH user. */
    public static List<String> installSequence(String username) {
        String root = rootPrefix(username);
        return List.of(
                root + "apt update",
                root + "apt install -y nodejs npm bubblewrap",
                root + "npm install -g @openai/codex",
                "codex --version",
                "bwrap --version");
    }

    /** What Cockpit's verification step checks: something listens on this TCP port. */
    public static final int COCKPIT_PORT = 9090;

    /**
     * The fixed Cockpit setup for this SSH user: the project tree (owned by the SSH user), the package
     * lists, the cockpit package, the socket unit enabled and started, then a check that port 9090
     * listens. The directory passed the workspace rule (SafeDirectory) and is single-quoted.
     */
    public static List<String> cockpitSetup(String username, String directory) {
        String root = rootPrefix(username);
        return List.of(
                root + "install -d -m 0755 -o \"$(id -un)\" " + quote(directory(directory)),
                root + "apt update",
                root + "apt install -y cockpit",
                root + "systemctl enable --now cockpit.socket",
                "ss -Hltn 'sport = :" + COCKPIT_PORT + "' | grep -q LISTEN || { echo 'nothing listens on port "
                        + COCKPIT_PORT + "' >&2; exit 1; }");
    }

    /** A project directory for a host workflow: the workspace rule of the registry's runtime profiles. */
    static String directory(String path) {
        if (path == null || !io.devopsconsole.platform.validation.SafeDirectoryValidator.isSafeWorkspace(path)) {
            throw new IllegalArgumentException(
                    "directory: must be an absolute, normalized path outside system and credential directories");
        }
        return path;
    }

    /** The fixed WireGuard tooling install. */
    public static List<String> wireguardInstall(String username) {
        String root = rootPrefix(username);
        return List.of(root + "apt update", root + "apt install -y wireguard wireguard-tools");
    }

    /** Non-mutating profile check: existence, mode, section counts (never the contents) and tooling. */
    public static String wireguardCheck(String configPath) {
        String f = quote(path(configPath));
        return "f=" + f + "; if [ -f \"$f\" ]; then echo exists=yes; else echo exists=no; fi;"
                + " printf 'mode=%s\\n' \"$(stat -c %a \"$f\" 2>/dev/null)\";"
                + " printf 'interface_sections=%s\\n' \"$(grep -c '^[[:space:]]*\\[Interface\\]' \"$f\" 2>/dev/null)\";"
                + " printf 'peer_sections=%s\\n' \"$(grep -c '^[[:space:]]*\\[Peer\\]' \"$f\" 2>/dev/null)\"; "
                + WG_TOOLING;
    }

    public static String wireguardUp(String username, String iface) {
        return rootPrefix(username) + "wg-quick up " + quote(iface(iface));
    }

    public static String wireguardDown(String username, String iface) {
        return rootPrefix(username) + "wg-quick down " + quote(iface(iface));
    }

    /** Whether the interface exists (exit 0) — no output kept. */
    public static String wireguardExists(String username, String iface) {
        return rootPrefix(username) + "wg show " + quote(iface(iface)) + " peers";
    }

    /** Handshakes, transfer and endpoints: the runtime status without private fields. */
    public static String wireguardStatus(String username, String iface) {
        String i = quote(iface(iface));
        String root = rootPrefix(username);
        return "echo '#handshakes'; " + root + "wg show " + i + " latest-handshakes && echo '#transfer' && " + root
                + "wg show " + i + " transfer && echo '#endpoints' && " + root + "wg show " + i + " endpoints";
    }

    /** {@code key=value} lines as a map (later keys win; lines without '=' ignored). */
    public static Map<String, String> facts(String output) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : output.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                out.put(line.substring(0, eq).strip(), line.substring(eq + 1).strip());
            }
        }
        return out;
    }

    /** Splits the status output into its three sections' lines. */
    public static Map<String, List<String>> sections(String output) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        List<String> current = new ArrayList<>();
        for (String line : output.split("\n")) {
            if (line.startsWith("#")) {
                current = new ArrayList<>();
                out.put(line.substring(1).strip(), current);
            } else if (!line.isBlank()) {
                current.add(line.strip());
            }
        }
        return out;
    }

    static String rootPrefix(String username) {
        return "root".equals(username) ? "" : "sudo -n ";
    }

    static String iface(String name) {
        if (name == null || !INTERFACE.matcher(name).matches()) {
            throw new IllegalArgumentException(
                    "interface_name: must be 1-15 letters, digits, '_', '=', '+', '.' or '-'");
        }
        return name;
    }

    static String path(String path) {
        if (path == null
                || !CONFIG_PATH.matcher(path).matches()
                || path.contains("/../")
                || path.contains("/./")
                || path.endsWith("/..")
                || path.endsWith("/.")) {
            throw new IllegalArgumentException("config_path: must be an absolute path of plain segments");
        }
        return path;
    }

    /** Single-quotes a value that already passed its pattern (the patterns exclude quotes; this is the second wall). */
    static String quote(String value) {
        if (value.indexOf('\'') >= 0) {
            throw new IllegalArgumentException("a quote in a validated value");
        }
        return "'" + value + "'";
    }
}
