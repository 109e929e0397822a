package io.devopsconsole.platform.logging;

import java.util.UUID;
import java.util.concurrent.Callable;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

/**
 * Marks what a service logs while it acts for a session, for {@link SessionLogShipper} to ship the
 * record to the session's own log (admins read it next to the transcript), and as the {@value #KEY}
 * MDC entry that the JSON log lines carry where the MDC holds (threads of our own, requests). Code that runs a whole step for one session wraps it
 * in {@link #run}; a single line elsewhere uses {@link #info}, {@link #warn} or {@link #error}.
 */
public final class SessionLogs {

    /** The MDC key holding the session id. */
    public static final String KEY = "session_id";

    /**
     * The mark itself: a thread-local set and cleared around synchronous code, so it holds on any thread
     * (the MDC on a Vert.x event loop outside a request keeps nothing); the handler runs on the logging
     * thread and reads it there.
     */
    private static final ThreadLocal<UUID> CURRENT = new ThreadLocal<>();

    private SessionLogs() {}

    /** Runs {@code step} with its log records marked as the session's (the previous mark is restored). */
    public static void run(UUID session, Runnable step) {
        UUID outer = CURRENT.get();
        Object previous = mark(session);
        try {
            step.run();
        } finally {
            restore(outer, previous);
        }
    }

    /** As {@link #run}, for a step with a result or a checked exception. */
    public static <T> T call(UUID session, Callable<T> step) throws Exception {
        UUID outer = CURRENT.get();
        Object previous = mark(session);
        try {
            return step.call();
        } finally {
            restore(outer, previous);
        }
    }

    /** The session the current thread is acting for, if any (what the handler reads first). */
    static UUID current() {
        return CURRENT.get();
    }

    public static void info(Logger log, UUID session, String format, Object... args) {
        run(session, () -> log.infof(format, args));
    }

    public static void warn(Logger log, UUID session, String format, Object... args) {
        run(session, () -> log.warnf(format, args));
    }

    public static void error(Logger log, UUID session, Throwable thrown, String format, Object... args) {
        run(session, () -> log.errorf(thrown, format, args));
    }

    private static Object mark(UUID session) {
        CURRENT.set(session);
        return MDC.put(KEY, session.toString());
    }

    private static void restore(UUID outer, Object previous) {
        if (outer == null) {
            CURRENT.remove();
        } else {
            CURRENT.set(outer);
        }
        if (previous == null) {
            MDC.remove(KEY);
        } else {
            MDC.put(KEY, previous);
        }
    }
}
