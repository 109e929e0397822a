package io.devopsconsole.platform.validation;

/**
 * The one rule for WireGuard names, shared by the registry (which stores tunnel profiles) and
 * onboarding (which hands them to fixed commands on a gateway), so a profile the registry accepts
 * is one onboarding can use.
 */
public final class WireGuardNames {

    /** An interface name: 1-15 of letters, digits, {@code _ = + . -}, not "." or "..", not starting with "-". */
    public static final String INTERFACE = "(?!\\.{1,2}$)(?!-)[a-zA-Z0-9_=+.-]{1,15}";

    public static final String INTERFACE_MESSAGE =
            "must be 1-15 characters of letters, digits, '_', '=', '+', '.' or '-',"
                    + " not '.' or '..' and not starting with '-'";

    /** A config file path: absolute, 1-16 plain segments each starting with a letter, digit or '_' (no '.', '..', '+'). */
    public static final String CONFIG_PATH = "(/[A-Za-z0-9_][A-Za-z0-9._-]{0,127}){1,16}";

    public static final String CONFIG_PATH_MESSAGE =
            "must be an absolute path of plain segments (letters, digits, '.', '_'"
                    + " or '-', each starting with a letter, digit or '_')";

    private WireGuardNames() {}
}
