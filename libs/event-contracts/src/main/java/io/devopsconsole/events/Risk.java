package io.devopsconsole.events;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The one risk vocabulary of the system, by effect: {@code benign} only reads; {@code elevated}
 * may change a host or the console's state; {@code destructive} deletes, changes privileges,
 * packages, services, system paths or production, touches secrets, or is a changed host key.
 * Unknown is never benign. It is the {@code risk} of approval requests (judged by the runner,
 * {@link #ofCommand}), of CloudEvents ({@code risk} extension) and of audit records.
 */
public enum Risk {
    BENIGN,
    ELEVATED,
    DESTRUCTIVE;

    private static final Set<String> READ_ONLY = Set.of(
            "ls",
            "cat",
            "pwd",
            "head",
            "tail",
            "wc",
            "grep",
            "rg",
            "echo",
            "stat",
            "file",
            "which",
            "whoami",
            "hostname",
            "uname",
            "date",
            "env",
            "printenv",
            "df",
            "du",
            "ps",
            "id",
            "tree",
            "less",
            "diff",
            "sort",
            "uniq",
            "cut",
            "nl",
            "basename",
            "dirname",
            "realpath",
            "true");
    private static final Set<String> GIT_READ_ONLY =
            Set.of("status", "diff", "log", "show", "branch", "rev-parse", "ls-files", "blame", "remote");
    private static final Pattern SHELL_META = Pattern.compile("[;&|`$<>(){}\\\\\\n]");
    private static final List<String> DESTRUCTIVE_WORDS = List.of(
            "rm",
            "sudo",
            "su",
            "dd",
            "mkfs",
            "shutdown",
            "reboot",
            "systemctl",
            "service",
            "apt",
            "apt-get",
            "yum",
            "dnf",
            "apk",
            "chmod",
            "chown",
            "kill",
            "pkill",
            "killall",
            "iptables",
            "userdel",
            "useradd",
            "passwd",
            "crontab",
            "mount",
            "umount",
            "truncate",
            "shred");

    @JsonValue
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Risk> of(String wire) {
        return Arrays.stream(values()).filter(r -> r.wire().equals(wire)).findFirst();
    }

    @JsonCreator
    static Risk fromWire(String wire) {
        return of(wire).orElseThrow(() -> new IllegalArgumentException("unknown risk " + wire));
    }

    /** The higher of the two. */
    public Risk max(Risk other) {
        return other != null && other.ordinal() > ordinal() ? other : this;
    }

    /**
     * The risk of a command line as the app-server reports it (a string, or an argv joined by
     * spaces): read-only commands are benign, pipes, redirects and substitutions at least elevated,
     * the destructive words and writes to system paths destructive, anything unknown elevated.
     */
    public static Risk ofCommand(String command) {
        if (command == null || command.isBlank()) {
            return ELEVATED;
        }
        String c = unwrapShell(command.strip());
        String[] words = c.split("\\s+");
        String first = words[0].toLowerCase(Locale.ROOT);
        if (first.contains("/")) {
            first = first.substring(first.lastIndexOf('/') + 1);
        }
        for (String w : words) {
            if (DESTRUCTIVE_WORDS.contains(w.toLowerCase(Locale.ROOT))) {
                return DESTRUCTIVE;
            }
        }
        if (c.contains(" /etc/") || c.contains(" /usr/") || c.contains(" /boot/") || c.contains("> /")) {
            return DESTRUCTIVE;
        }
        if (SHELL_META.matcher(c).find()) {
            return ELEVATED; // pipes, redirects, substitutions: not judged by the first word
        }
        if (READ_ONLY.contains(first)) {
            return BENIGN;
        }
        if (first.equals("find") && !c.contains("-delete") && !c.contains("-exec") && !c.contains("-ok")) {
            return BENIGN;
        }
        if (first.equals("git") && words.length > 1 && GIT_READ_ONLY.contains(words[1])) {
            return BENIGN;
        }
        return ELEVATED;
    }

    /** {@code bash -lc 'ls -la'} is judged as {@code ls -la}. */
    private static String unwrapShell(String c) {
        for (String prefix : List.of("bash -lc ", "bash -c ", "sh -c ", "/bin/bash -lc ", "/bin/sh -c ")) {
            if (c.startsWith(prefix)) {
                String rest = c.substring(prefix.length()).strip();
                if (rest.length() >= 2
                        && (rest.startsWith("'") && rest.endsWith("'")
                                || rest.startsWith("\"") && rest.endsWith("\""))) {
                    rest = rest.substring(1, rest.length() - 1);
                }
                return rest;
            }
        }
        return c;
    }
}
