package io.devopsconsole.platform.logging;

import io.devopsconsole.events.logs.SessionLogged;
import io.devopsconsole.platform.redaction.SecretScanner;
import io.devopsconsole.platform.text.StoredText;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.SimpleFormatter;
import org.jboss.logmanager.ExtLogRecord;

/**
 * The log handler that picks a service's records about a session (marked by {@link SessionLogs}) at
 * or above a level and queues them, redacted and clipped, for {@link SessionLogShipper}. It runs on
 * the logging thread, so it never blocks: a full queue drops the record and counts it.
 */
final class SessionLogHandler extends Handler {

    /** Frames of an exception kept after its class and message. */
    static final int FRAMES = 12;

    private final String service;
    private final String instance;
    private final int threshold;
    private final int maxChars;
    private final BlockingQueue<SessionLogged> queue;
    private final Losses losses;
    private final SimpleFormatter formatter = new SimpleFormatter();

    SessionLogHandler(
            String service,
            String instance,
            Level threshold,
            int maxChars,
            BlockingQueue<SessionLogged> queue,
            Losses losses) {
        this.service = service;
        this.instance = instance;
        this.threshold = threshold.intValue();
        this.maxChars = maxChars;
        this.queue = queue;
        this.losses = losses;
    }

    @Override
    public void publish(LogRecord record) {
        if (record.getLevel().intValue() < threshold) {
            return;
        }
        UUID session = SessionLogs.current();
        if (session == null) {
            session = session(mdc(record, SessionLogs.KEY)); // marked by other code, or copied by an async handler
        }
        if (session == null) {
            return;
        }
        if (!queue.offer(toEvent(session, record))) {
            losses.add(session);
        }
    }

    SessionLogged toEvent(UUID session, LogRecord record) {
        return new SessionLogged(
                session,
                OffsetDateTime.ofInstant(record.getInstant(), ZoneOffset.UTC),
                service,
                instance,
                record instanceof ExtLogRecord e ? e.getSequenceNumber() : record.getSequenceNumber(),
                level(record.getLevel()),
                record.getLoggerName(),
                text(message(record)),
                text(thrown(record.getThrown())),
                mdc(record, "traceId"));
    }

    /** Redacted (a secret never leaves the process in a log record), clipped, in the stored form (NUL-safe). */
    private String text(String raw) {
        return raw == null ? null : StoredText.encode(StoredText.clip(SecretScanner.redactText(raw), maxChars));
    }

    private String message(LogRecord record) {
        try {
            return record instanceof ExtLogRecord e ? e.getFormattedMessage() : formatter.formatMessage(record);
        } catch (RuntimeException e) {
            return String.valueOf(record.getMessage()); // a format that does not fit its arguments
        }
    }

    /** The level in the services' own words (java.util.logging's WARNING is WARN, SEVERE is ERROR). */
    static String level(Level level) {
        int v = level.intValue();
        return v >= 1100 ? "FATAL" : v >= 1000 ? "ERROR" : v >= 900 ? "WARN" : v >= 800 ? "INFO" : "DEBUG";
    }

    /** A level by name, in either vocabulary ({@link io.devopsconsole.events.logs.SessionLogged#levelOf}). */
    static Level parse(String name) {
        String level = io.devopsconsole.events.logs.SessionLogged.levelOf(name);
        if (level == null) {
            throw new IllegalArgumentException("unknown log level " + name);
        }
        return switch (level) {
            case "DEBUG" -> Level.FINE;
            case "INFO" -> Level.INFO;
            case "WARN" -> Level.WARNING;
            default -> Level.SEVERE; // ERROR, FATAL
        };
    }

    static String thrown(Throwable t) {
        if (t == null) {
            return null;
        }
        StringBuilder out = new StringBuilder();
        int depth = 0;
        for (Throwable c = t; c != null && depth < 5; c = c.getCause() == c ? null : c.getCause(), depth++) {
            if (depth > 0) {
                out.append("\ncaused by: ");
            }
            out.append(c.getClass().getName());
            if (c.getMessage() != null) {
                out.append(": ").append(c.getMessage());
            }
            StackTraceElement[] frames = c.getStackTrace();
            for (int i = 0; i < Math.min(FRAMES, frames.length); i++) {
                out.append("\n\tat ").append(frames[i]);
            }
            if (frames.length > FRAMES) {
                out.append("\n\t… ").append(frames.length - FRAMES).append(" more");
            }
        }
        return out.toString();
    }

    private static String mdc(LogRecord record, String key) {
        Object v = record instanceof ExtLogRecord e ? e.getMdc(key) : org.jboss.logging.MDC.get(key);
        return v == null ? null : v.toString();
    }

    private static UUID session(String id) {
        if (id == null) {
            return null;
        }
        try {
            return UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
}
