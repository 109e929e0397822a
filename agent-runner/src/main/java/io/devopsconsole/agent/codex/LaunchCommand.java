package io.devopsconsole.agent.codex;

import io.devopsconsole.events.registry.RuntimeProfileState.CodexOptions;
import io.devopsconsole.platform.codex.CodexOptionRules;
import io.devopsconsole.platform.validation.SafeDirectoryValidator;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The one command the runner executes on a target: prepare the runtime profile's working directory
 * and exec {@code codex app-server} there on stdio, with the profile's allow-listed options as
 * {@code -c key=value} arguments. Every variable part is validated against an allow-list first and
 * then single-quoted, so a value can never end an argument or start another command; anything
 * that fails validation stops the launch ({@link IllegalArgumentException} naming the field).
 * Operator text is never part of it (it travels inside JSON-RPC messages on stdin).
 * <p>
 * {@code approval_policy = "untrusted"} is refused by codex 0.169 in configuration, so that value
 * is passed in {@code thread/start} instead (see {@link #threadStartPolicy}).
 */
public final class LaunchCommand {

    private static final Pattern PROGRAM = Pattern.compile("[A-Za-z0-9._/+-]{1,255}");

    private LaunchCommand() {}

    public static String build(String codexProgram, String workingDirectory, CodexOptions options) {
        List<String> args = serverArgs(codexProgram, workingDirectory, options);
        args.add(2, "--listen");
        args.add(3, "stdio://");
        StringBuilder command = new StringBuilder();
        command.append("mkdir -p -- ")
                .append(quote(workingDirectory))
                .append(" && cd -- ")
                .append(quote(workingDirectory))
                .append(" && exec");
        for (String a : args) {
            command.append(' ').append(quote(a));
        }
        return command.toString();
    }

    /** Where a durable app-server keeps its files on a host by default (the SSH user's home). */
    public static final String DEFAULT_STATE_DIRECTORY = "$HOME/.devops-console/app-server";

    /** The durable launch: its key on the host (names the socket, pid and log files) and the command. */
    public record Durable(String serverKey, String command) {}

    /**
     * The durable launch: one long-lived {@code codex app-server --listen unix://<key>.sock} per
     * working directory and option set, started detached ({@code setsid nohup}, stdin from
     * /dev/null) only when none answers on the socket (under {@code flock} where the host has it,
     * so two connections cannot start two), then this connection's own {@code app-server proxy}
     * to it, over which the runner speaks WebSocket. The socket, pid and log live in
     * {@code stateDirectory} (created with mode 700); the key is a digest of program, directory and
     * options, so a changed profile gets a new server. Exit status 127 from the proxy means the
     * host's codex has no durable mode (the runner then falls back to stdio).
     */
    public static Durable durable(
            String codexProgram, String workingDirectory, CodexOptions options, String stateDirectory) {
        List<String> args = serverArgs(codexProgram, workingDirectory, options);
        String stateExpr = stateExpr(stateDirectory);
        String key = key(String.join("\u0000", args) + "\u0000" + workingDirectory);
        StringBuilder server = new StringBuilder();
        server.append(quote(args.get(0))).append(" app-server --listen \"unix://$k.sock\"");
        for (String a : args.subList(2, args.size())) {
            server.append(' ').append(quote(a));
        }
        String program = quote(args.get(0));
        String command = "mkdir -p -- " + quote(workingDirectory) + " && cd -- " + quote(workingDirectory)
                + " && umask 077 && d=" + stateExpr + " && mkdir -p -- \"$d\" && k=\"$d/" + key + "\""
                + " && printf '%s\\n' " + quote(workingDirectory) + " > \"$k.dir\""
                + " && { if command -v flock >/dev/null 2>&1; then exec 9>\"$k.lock\"; flock -w 30 9; fi;"
                + " p=$(cat \"$k.pid\" 2>/dev/null);"
                + " if [ -S \"$k.sock\" ] && kill -0 \"$p\" 2>/dev/null && [ \"$(cut -d' ' -f3 /proc/$p/stat 2>/dev/null)\" != Z ]; then :; else"
                + " rm -f -- \"$k.sock\"; nohup setsid " + server + " </dev/null >>\"$k.log\" 2>&1 9>&- &"
                + " echo $! > \"$k.pid\"; i=0; while [ ! -S \"$k.sock\" ] && [ $i -lt 200 ]; do sleep 0.1; i=$((i+1)); done; fi; }"
                + " && exec 9>&- && exec " + program + " app-server proxy --sock \"$k.sock\"";
        return new Durable(key, command);
    }

    /** A connection to the durable app-server with this key, if it still runs (no server is started). */
    public static String attach(String codexProgram, String stateDirectory, String serverKey) {
        if (codexProgram == null || !PROGRAM.matcher(codexProgram).matches() || codexProgram.startsWith("-")) {
            throw new IllegalArgumentException("codex command: letters, digits and . _ / + - only");
        }
        checkKey(serverKey);
        return "d=" + stateExpr(stateDirectory) + " && exec " + quote(codexProgram) + " app-server proxy --sock \"$d/"
                + serverKey + ".sock\"";
    }

    private static void checkKey(String serverKey) {
        if (serverKey == null || !serverKey.matches("[0-9a-f]{20}")) {
            throw new IllegalArgumentException("server_key: 20 hexadecimal digits");
        }
    }

    /**
     * The fixed commands that look after durable app-servers on a host: list them (one line per
     * server: key, pid, alive or dead, working directory) and stop one by key (its pid file names
     * the process; the socket and pid files go too). Keys are checked to be what {@link #durable}
     * makes (hex digits only).
     */
    public static String listServers(String stateDirectory) {
        return "d=" + stateExpr(stateDirectory)
                + "; [ -d \"$d\" ] || exit 0; for p in \"$d\"/*.pid; do [ -e \"$p\" ] || continue;"
                + " k=\"${p%.pid}\"; pid=$(cat \"$p\" 2>/dev/null); if kill -0 \"$pid\" 2>/dev/null"
                + " && [ \"$(cut -d' ' -f3 /proc/$pid/stat 2>/dev/null)\" != Z ]; then s=alive; else s=dead; fi;"
                + " printf '%s\\t%s\\t%s\\t%s\\n' \"${k##*/}\" \"$pid\" \"$s\" \"$(head -n 1 \"$k.dir\" 2>/dev/null)\"; done";
    }

    public static String stopServer(String stateDirectory, String serverKey) {
        return serverFiles(stateDirectory, serverKey)
                + " case \"$pid\" in ''|*[!0-9]*) ;; *) kill \"$pid\" 2>/dev/null; i=0;"
                + " while kill -0 \"$pid\" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done;"
                + " kill -9 \"$pid\" 2>/dev/null;; esac; rm -f -- \"$k.sock\" \"$k.pid\" \"$k.dir\" \"$k.lock\"; echo stopped";
    }

    /**
     * Removes the state files (socket, pid, directory, lock) of a durable app-server whose process is
     * gone, by key; a server found running is left alone ("alive"), so a sweep can never stop a live one.
     */
    public static String cleanServer(String stateDirectory, String serverKey) {
        return serverFiles(stateDirectory, serverKey)
                + " case \"$pid\" in ''|*[!0-9]*) ;; *) if kill -0 \"$pid\" 2>/dev/null"
                + " && [ \"$(cut -d' ' -f3 /proc/$pid/stat 2>/dev/null)\" != Z ]; then echo alive; exit 0; fi;; esac;"
                + " rm -f -- \"$k.sock\" \"$k.pid\" \"$k.dir\" \"$k.lock\"; echo removed";
    }

    /** Where attached files go, inside a session's working directory. */
    public static final String ATTACHMENTS = ".devops-console/attachments";

    /**
     * Writes standard input to {@code <working directory>/.devops-console/attachments/<name>} (mode 600 in
     * mode-700 directories; written beside it and renamed, so the agent never reads half a file) and prints
     * its SHA-256 as the host computes it. Fixed: the directory and name are checked and quoted.
     */
    public static String copyAttachment(String workingDirectory, String name) {
        if (workingDirectory == null || !SafeDirectoryValidator.isSafeWorkspace(workingDirectory)) {
            throw new IllegalArgumentException("working_directory: not an absolute path of safe segments");
        }
        if (!io.devopsconsole.events.agent.CopyAttachment.validName(name)) {
            throw new IllegalArgumentException("name: letters, digits, '.', '-' and '_' only");
        }
        String dir = quote(workingDirectory + "/" + ATTACHMENTS);
        return "umask 077 && mkdir -p -- " + dir + " && cd -- " + dir + " && cat > " + quote("." + name + ".part")
                + " && mv -f -- " + quote("." + name + ".part") + " " + quote(name) + " && { sha256sum -- "
                + quote(name)
                + " 2>/dev/null || shasum -a 256 -- " + quote(name) + "; }";
    }

    /** The most a log read returns (the end of the file). */
    public static final int LOG_READ_LIMIT = 1 << 20;

    /**
     * Reads the end of a durable app-server's log, read-only: the first line is the file's size in
     * bytes ({@code none} when there is no log), then at most {@code maxBytes} of its end.
     */
    public static String readLog(String stateDirectory, String serverKey, int maxBytes) {
        if (maxBytes < 1 || maxBytes > LOG_READ_LIMIT) {
            throw new IllegalArgumentException("max_bytes: 1 to " + LOG_READ_LIMIT);
        }
        return serverFiles(stateDirectory, serverKey) + " f=\"$k.log\"; if [ -f \"$f\" ]; then wc -c < \"$f\";"
                + " tail -c " + maxBytes + " -- \"$f\"; else echo none; fi";
    }

    /** The start of a command about one durable app-server: its state directory, file stem and pid (key checked). */
    private static String serverFiles(String stateDirectory, String serverKey) {
        checkKey(serverKey);
        return "d=" + stateExpr(stateDirectory) + "; k=\"$d/" + serverKey + "\"; pid=$(cat \"$k.pid\" 2>/dev/null);";
    }

    private static String stateExpr(String stateDirectory) {
        if (stateDirectory == null || stateDirectory.equals(DEFAULT_STATE_DIRECTORY)) {
            return "\"$HOME\"/.devops-console/app-server";
        }
        if (!SafeDirectoryValidator.isSafe(stateDirectory)) {
            throw new IllegalArgumentException("state directory: not an absolute path of safe segments");
        }
        return quote(stateDirectory);
    }

    private static String key(String material) {
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(material.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(digest).substring(0, 20);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Program, "app-server", then the validated {@code -c key="value"} pairs. */
    private static List<String> serverArgs(String codexProgram, String workingDirectory, CodexOptions options) {
        if (codexProgram == null || !PROGRAM.matcher(codexProgram).matches() || codexProgram.startsWith("-")) {
            throw new IllegalArgumentException("codex command: letters, digits and . _ / + - only");
        }
        if (workingDirectory == null || !SafeDirectoryValidator.isSafeWorkspace(workingDirectory)) {
            throw new IllegalArgumentException("working_directory: not an absolute path of safe segments");
        }
        CodexOptions o = options == null ? CodexOptions.NONE : options;
        Map<String, String> problems = CodexOptionRules.problems(o);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("codex options refused: " + problems);
        }
        List<String> args = new ArrayList<>();
        args.add(codexProgram);
        args.add("app-server");
        config(args, "model", o.model());
        config(args, "model_provider", o.modelProvider());
        if (o.modelBaseUrl() != null) {
            String p = o.modelProvider();
            config(args, "model_providers." + p + ".name", p);
            config(args, "model_providers." + p + ".base_url", o.modelBaseUrl());
            config(args, "model_providers." + p + ".wire_api", "responses");
        }
        if (o.approvalPolicy() != null && !o.approvalPolicy().equals("untrusted")) {
            config(args, "approval_policy", o.approvalPolicy());
        }
        config(args, "sandbox_mode", o.sandboxMode());
        return args;
    }

    /** The approval policy to name in {@code thread/start} (all of them; "untrusted" only works there). */
    public static String threadStartPolicy(CodexOptions options) {
        return options == null ? null : options.approvalPolicy();
    }

    private static void config(List<String> args, String key, String value) {
        if (value == null) {
            return;
        }
        // TOML basic string; the allow-lists exclude quotes and backslashes, checked once more here
        if (value.indexOf('"') >= 0 || value.indexOf('\\') >= 0 || value.chars().anyMatch(c -> c < 0x20)) {
            throw new IllegalArgumentException(key + ": not allowed in a configuration value");
        }
        args.add("-c");
        args.add(key + "=\"" + value + "\"");
    }

    /** POSIX single quoting: the only character that needs care inside is the quote itself. */
    static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }
}
