package io.devopsconsole.platform.messaging;

import io.vertx.pgclient.PgException;
import java.util.Set;

/**
 * Whether a consumer's failure is about the record (poison: retrying the same data fails the same
 * way, so after a few attempts it goes to the dead-letter topic) or about the moment (the database
 * is unreachable, restarting, or the transaction lost a race: retry in place, never dead-letter).
 */
public final class Poison {

    /** Attempts a record gets before it is treated as poison. */
    public static final int ATTEMPTS = 3;

    /**
     * SQLSTATE classes that say the data was refused: 22 data exception (bad text, numbers or times
     * out of range), 23 integrity constraint, 54 program limit exceeded (a value too large).
     */
    private static final Set<String> DATA_CLASSES = Set.of("22", "23", "54");

    private Poison() {}

    /** True when the failure is about the data: retrying the same record will not help. */
    public static boolean isPoison(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof PgException pg) {
                String state = pg.getSqlState();
                return state != null && state.length() >= 2 && DATA_CLASSES.contains(state.substring(0, 2));
            }
            if (t instanceof java.io.IOException
                    || t instanceof io.vertx.core.VertxException
                    || t.getClass().getName().startsWith("io.vertx.")) {
                return false; // a connection or pool problem
            }
        }
        // our own code refused the record (a mapping that failed, a value it cannot handle)
        return failure instanceof IllegalArgumentException
                || failure instanceof IllegalStateException
                || failure instanceof NullPointerException
                || failure instanceof ClassCastException
                || failure instanceof ArithmeticException
                || failure instanceof java.time.DateTimeException
                || failure instanceof UnsupportedOperationException
                || failure instanceof IndexOutOfBoundsException
                // what a request would have been answered 4xx for: the event names something that is not there, or
                // conflicts
                || failure instanceof io.devopsconsole.platform.problem.ResourceNotFoundException
                || failure instanceof io.devopsconsole.platform.problem.ConflictException
                || failure instanceof io.devopsconsole.platform.problem.InvalidFieldException
                || failure instanceof jakarta.ws.rs.WebApplicationException w
                        && w.getResponse() != null
                        && w.getResponse().getStatus() >= 400
                        && w.getResponse().getStatus() < 500;
    }

    /** The reason to record with a poison record: the database's message, or the exception's. */
    public static String reason(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof PgException pg) {
                return pg.getErrorMessage() + " (SQLSTATE " + pg.getSqlState() + ")";
            }
        }
        return failure.getMessage() == null ? failure.getClass().getSimpleName() : failure.getMessage();
    }
}
