package io.devopsconsole.platform.logging;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Session log records this process could not ship (queue full, Kafka unreachable), per session until
 * the session's next record says so, and in total for the metric.
 */
final class Losses {

    private final Map<UUID, Long> bySession = new ConcurrentHashMap<>();
    final AtomicLong total = new AtomicLong();

    void add(UUID session) {
        add(session, 1);
    }

    void add(UUID session, long n) {
        bySession.merge(session, n, Long::sum);
        total.addAndGet(n);
    }

    /** How many of the session's records were lost since the last call for it (0 when none). */
    long take(UUID session) {
        Long n = bySession.remove(session);
        return n == null ? 0 : n;
    }
}
