package io.devopsconsole.session.approval;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Classifies what the agent asks to do, by effect: a command that only reads is {@code benign};
 * anything that may change the host is {@code elevated}; deleting, privilege changes, package
 * installs, service control and writes to system paths are {@code destructive}. Unknown is never
 * benign. Only benign requests can be approved by a session policy.
 */
public final class Risk {

    public static final String BENIGN = "benign";
    public static final String ELEVATED = "elevated";
    public static final String DESTRUCTIVE = "destructive";

    private static final Set<String> READ_ONLY = Set.of("ls", "cat", "pwd", "head", "tail", "wc", "grep", "rg", "echo",
            "stat", "file", "which", "whoami", "hostname", "uname", "date", "env", "printenv", "df", "du", "ps", "id",
            "tree", "less", "diff", "sort", "uniq", "cut", "nl", "basename", "dirname", "realpath", "true");
    private static final Set<String> GIT_READ_ONLY = Set.of("status", "diff", "log", "show", "branch", "rev-parse",
            "ls-files", "blame", "remote");
    private static final Pattern SHELL_META = Pattern.compile("[;&|`$<>(){}\\\\\\n]");
    private static final List<String> DESTRUCTIVE_WORDS = List.of("rm", "sudo", "su", "dd", "mkfs", "shutdown", "reboot",
            "systemctl", "service", "apt", "apt-get", "yum", "dnf", "apk", "chmod", "chown", "kill", "pkill", "killall",
            "iptables", "userdel", "useradd", "passwd", "crontab", "mount", "umount", "truncate", "shred");

    private Risk() {
    }

    /** The risk of a command line as the app-server reports it (a string, or an argv joined by spaces). */
    public static String ofCommand(String command) {
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
            return ELEVATED;   // pipes, redirects, substitutions: not judged by the first word
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
                if (rest.length() >= 2 && (rest.startsWith("'") && rest.endsWith("'") || rest.startsWith("\"") && rest.endsWith("\""))) {
                    rest = rest.substring(1, rest.length() - 1);
                }
                return rest;
            }
        }
        return c;
    }
}
