package io.devopsconsole.platform.problem;

/** The request conflicts with the current state: a stale version, a taken name, a final state (409). */
public class ConflictException extends RuntimeException {

    private final String field;

    public ConflictException(String message) {
        this(null, message);
    }

    public ConflictException(String field, String message) {
        super(message);
        this.field = field;
    }

    /** Fails with a 409 naming {@code version} when the caller edited an older version. */
    public static void requireVersion(String what, long current, long expected) {
        if (current != expected) {
            throw new ConflictException(
                    "version",
                    what + " is at version " + current + ", not " + expected
                            + "; reload it and apply your change again");
        }
    }

    /** The request field the conflict is about, or null. */
    public String field() {
        return field;
    }
}
