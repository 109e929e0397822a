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

    private LaunchCommand() {
    }

    public static String build(String codexProgram, String workingDirectory, CodexOptions options) {
        if (codexProgram == null || !PROGRAM.matcher(codexProgram).matches() || codexProgram.startsWith("-")) {
            throw new IllegalArgumentException("codex command: letters, digits and . _ / + - only");
        }
        if (workingDirectory == null || !SafeDirectoryValidator.isSafe(workingDirectory)) {
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
        args.add("--listen");
        args.add("stdio://");
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
        StringBuilder command = new StringBuilder();
        command.append("mkdir -p -- ").append(quote(workingDirectory))
                .append(" && cd -- ").append(quote(workingDirectory))
                .append(" && exec");
        for (String a : args) {
            command.append(' ').append(quote(a));
        }
        return command.toString();
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
