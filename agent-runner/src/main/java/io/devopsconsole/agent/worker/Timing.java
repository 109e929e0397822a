package io.devopsconsole.agent.worker;

import java.util.function.BooleanSupplier;

/**
 * The runner's timing decisions about a turn and a worker, without I/O and without a clock of their
 * own (callers pass {@code System.nanoTime()} readings): whether a turn ran out of time, and whether a
 * durable worker's app-server went silent. The session's driver acts on the verdicts.
 */
final class Timing {

    private Timing() {}

    /** What a running turn's clock says. */
    enum TurnVerdict {
        /** Nothing to do. */
        ON_TIME,
        /** An interrupt was sent and the app-server did not end the turn within the grace: drop the worker. */
        INTERRUPT_UNANSWERED,
        /** No activity for longer than the inactivity timeout: end the turn as timed out and interrupt it. */
        INACTIVE
    }

    /**
     * The verdict on the current turn. Waiting for a person (a pending approval) is not inactivity
     * (session-service expires approvals); a turn already timed out is only watched for its interrupt.
     */
    static TurnVerdict turn(
            long now,
            long interruptSentNanos,
            long interruptGraceNanos,
            boolean timedOut,
            boolean waitsForPerson,
            long lastActivityNanos,
            long inactivityNanos) {
        if (interruptSentNanos != 0 && now - interruptSentNanos > interruptGraceNanos) {
            return TurnVerdict.INTERRUPT_UNANSWERED;
        }
        if (timedOut || waitsForPerson) {
            return TurnVerdict.ON_TIME;
        }
        return now - lastActivityNanos > inactivityNanos ? TurnVerdict.INACTIVE : TurnVerdict.ON_TIME;
    }

    /**
     * The ping state of one durable worker's connection: after {@code pingAfter} without a word the
     * app-server is pinged (again every {@code pingAfter}); a ping unanswered for {@code silentAfter}
     * means it died or the path to it stalled (its proxy keeps the connection open after the server
     * behind it dies, so the connection itself never says so).
     */
    static final class PingClock {
        private long lastPingNanos;
        private long unansweredSinceNanos;

        /**
         * Whether the worker is silent now. {@code heardNanos}: when anything last arrived on the
         * connection; {@code ping}: sends a ping, false when none could be sent. Once silent, the clock
         * starts over.
         */
        boolean silent(long now, long heardNanos, long pingAfterNanos, long silentAfterNanos, BooleanSupplier ping) {
            if (unansweredSinceNanos != 0 && heardNanos >= unansweredSinceNanos) {
                unansweredSinceNanos = 0;
            }
            if (now - heardNanos >= pingAfterNanos && now - lastPingNanos >= pingAfterNanos && ping.getAsBoolean()) {
                lastPingNanos = now;
                if (unansweredSinceNanos == 0) {
                    unansweredSinceNanos = now;
                }
            }
            if (unansweredSinceNanos == 0 || now - unansweredSinceNanos < silentAfterNanos) {
                return false;
            }
            unansweredSinceNanos = 0;
            return true;
        }
    }
}
