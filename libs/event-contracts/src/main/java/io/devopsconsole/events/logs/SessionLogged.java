package io.devopsconsole.events.logs;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * One log record a service wrote while acting for a session. {@code message} is the formatted message
 * and {@code thrown} the exception (class, message and the first frames), both with secrets redacted
 * and clipped by the sender, in the stored form of text (NUL and lone surrogates written as visible
 * escapes); {@code sequence} numbers the records of one process ({@code instance}), so a record
 * delivered twice is kept once; {@code traceId} joins it to the trace of the request that caused it.
 */
public record SessionLogged(
        UUID sessionId,
        OffsetDateTime at,
        String service,
        String instance,
        long sequence,
        String level,
        String logger,
        String message,
        String thrown,
        String traceId)
        implements SessionLogEvent {

    public static final String TYPE = "io.devopsconsole.session.log.recorded.v1";

    /** The levels a record carries ({@link #level}), least severe first. */
    public static final List<String> LEVELS = List.of("DEBUG", "INFO", "WARN", "ERROR", "FATAL");

    /**
     * A level name in this contract's words: its own ({@link #LEVELS}, any case) and the other loggers'
     * (java.util.logging's WARNING is WARN, SEVERE is ERROR; TRACE, FINE, FINER and FINEST are DEBUG);
     * null for a name it does not know.
     */
    public static String levelOf(String name) {
        if (name == null) {
            return null;
        }
        String l = name.strip().toUpperCase(Locale.ROOT);
        return switch (l) {
            case "WARNING" -> "WARN";
            case "SEVERE" -> "ERROR";
            case "TRACE", "FINE", "FINER", "FINEST" -> "DEBUG";
            default -> LEVELS.contains(l) ? l : null;
        };
    }

    @Override
    public String aggregateId() {
        return sessionId.toString();
    }

    @Override
    public String resourceType() {
        return "session";
    }

    @Override
    public String resourceName() {
        return sessionId.toString();
    }
}
