package io.devopsconsole.cli;

/** A failure to tell the user in words, with the exit code it ends the run with. */
public class CliException extends RuntimeException {

    /** The request was refused (4xx): the user's input or rights. */
    public static final int REFUSED = 1;
    /** Not signed in, or the sign-in ended: run {@code devops login}. */
    public static final int SIGN_IN = 3;
    /** The console or the identity provider could not be reached or failed (5xx). */
    public static final int UNAVAILABLE = 4;

    private final int exitCode;
    private final int status;

    public CliException(int exitCode, String message) {
        this(exitCode, message, 0);
    }

    /** A refusal by the console with its HTTP status. */
    public CliException(int exitCode, String message, int status) {
        super(message);
        this.exitCode = exitCode;
        this.status = status;
    }

    /** The console's HTTP status (0 when the failure was not an answer). */
    public int status() {
        return status;
    }

    public int exitCode() {
        return exitCode;
    }
}
