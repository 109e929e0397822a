package io.devopsconsole.platform.problem;

import java.sql.SQLException;

/** Recognizes a PostgreSQL unique-constraint violation (SQLSTATE 23505) anywhere in a cause chain. */
public final class UniqueViolation {

    private static final String UNIQUE_VIOLATION = "23505";

    private UniqueViolation() {}

    /** True when the failure is a unique violation of any constraint. */
    public static boolean anyOf(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof io.vertx.pgclient.PgException pg && UNIQUE_VIOLATION.equals(pg.getSqlState())) {
                return true;
            }
            if (t instanceof SQLException sql && UNIQUE_VIOLATION.equals(sql.getSQLState())) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    /** True when the failure is a unique violation of the named constraint. */
    public static boolean of(Throwable failure, String constraint) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof io.vertx.pgclient.PgException pg && UNIQUE_VIOLATION.equals(pg.getSqlState())) {
                return constraint.equals(pg.getConstraint())
                        || String.valueOf(pg.getMessage()).contains(constraint);
            }
            if (t instanceof SQLException sql && UNIQUE_VIOLATION.equals(sql.getSQLState())) {
                return String.valueOf(sql.getMessage()).contains(constraint);
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }
}
