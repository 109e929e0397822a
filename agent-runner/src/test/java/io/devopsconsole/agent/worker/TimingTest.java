package io.devopsconsole.agent.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.devopsconsole.platform.ssh.PinnedSsh;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The runner's timing decisions and its host diagnosis, with made-up clocks and hosts (no SSH, no Kafka, no codex). */
class TimingTest {

    private static final long S = TimeUnit.SECONDS.toNanos(1);

    @Test
    void aTurnTimesOutAfterInactivityButNotWhileAPersonDecides() {
        long now = 1_000 * S;
        assertThat(Timing.turn(now, 0, 10 * S, false, false, now - 899 * S, 900 * S))
                .isEqualTo(Timing.TurnVerdict.ON_TIME);
        assertThat(Timing.turn(now, 0, 10 * S, false, false, now - 901 * S, 900 * S))
                .isEqualTo(Timing.TurnVerdict.INACTIVE);
        assertThat(Timing.turn(now, 0, 10 * S, false, true, now - 901 * S, 900 * S))
                .as("an approval waits for a person")
                .isEqualTo(Timing.TurnVerdict.ON_TIME);
        assertThat(Timing.turn(now, 0, 10 * S, true, false, now - 901 * S, 900 * S))
                .as("already timed out: only its interrupt is watched")
                .isEqualTo(Timing.TurnVerdict.ON_TIME);
    }

    @Test
    void anInterruptTheAppServerDoesNotHonourWithinTheGraceDropsTheWorker() {
        long now = 1_000 * S;
        assertThat(Timing.turn(now, now - 9 * S, 10 * S, true, true, now, 900 * S))
                .isEqualTo(Timing.TurnVerdict.ON_TIME);
        assertThat(Timing.turn(now, now - 11 * S, 10 * S, true, true, now, 900 * S))
                .isEqualTo(Timing.TurnVerdict.INTERRUPT_UNANSWERED);
    }

    @Test
    void aWorkerIsPingedAfterQuietAndSilentWhenAPingGoesUnansweredTooLong() {
        Timing.PingClock clock = new Timing.PingClock();
        AtomicInteger pings = new AtomicInteger();
        long heard = 0;
        // quiet for less than ping-after: no ping
        assertThat(clock.silent(4 * S, heard, 5 * S, 10 * S, () -> pings.incrementAndGet() > 0))
                .isFalse();
        assertThat(pings).hasValue(0);
        // quiet for ping-after: pinged, not yet silent
        assertThat(clock.silent(5 * S, heard, 5 * S, 10 * S, () -> pings.incrementAndGet() > 0))
                .isFalse();
        assertThat(pings).hasValue(1);
        // an answer arrives: the clock starts over
        heard = 6 * S;
        assertThat(clock.silent(7 * S, heard, 5 * S, 10 * S, () -> pings.incrementAndGet() > 0))
                .isFalse();
        // quiet again: pinged at 11, again every 5 s, silent once the first unanswered ping is 10 s old
        assertThat(clock.silent(11 * S, heard, 5 * S, 10 * S, () -> pings.incrementAndGet() > 0))
                .isFalse();
        assertThat(clock.silent(16 * S, heard, 5 * S, 10 * S, () -> pings.incrementAndGet() > 0))
                .isFalse();
        assertThat(pings).hasValue(3);
        assertThat(clock.silent(21 * S, heard, 5 * S, 10 * S, () -> pings.incrementAndGet() > 0))
                .isTrue();
        // and once reported, it starts over (the driver reattaches)
        assertThat(clock.silent(21 * S + 1, heard, 5 * S, 10 * S, () -> false)).isFalse();
    }

    @Test
    void aPingThatCannotBeSentDoesNotStartTheSilenceClock() {
        Timing.PingClock clock = new Timing.PingClock();
        assertThat(clock.silent(100 * S, 0, 5 * S, 10 * S, () -> false)).isFalse();
        assertThat(clock.silent(200 * S, 0, 5 * S, 10 * S, () -> false)).isFalse();
    }

    @Test
    void theHostSaysWhetherTheAppServerDiedHungOrTheHostItselfIsSilentOrUnreachable() {
        String listing = "srv-1\t4242\talive\nsrv-2\t4343\tdead\n";
        HostProbe.Probe running = HostProbe.probe("srv-1", () -> new PinnedSsh.Result(0, listing, ""));
        assertThat(running.view()).isEqualTo(HostProbe.HostView.RUNNING);
        assertThat(HostProbe.whySilent("web-1", 12_345, running))
                .isEqualTo(
                        new HostProbe.Diagnosis(
                                "app_server_hung",
                                "the app-server on web-1 stopped answering (no answer to pings for 12.3 s; its process still runs)"));
        HostProbe.Probe gone = HostProbe.probe("srv-2", () -> new PinnedSsh.Result(0, listing, ""));
        assertThat(gone.view()).isEqualTo(HostProbe.HostView.GONE);
        assertThat(HostProbe.whySilent("web-1", 12_345, gone).cause()).isEqualTo("app_server_died");
        assertThat(HostProbe.whyEnded("web-1", "EOF", " (stderr: bye)", "plain", gone))
                .isEqualTo(
                        "the app-server on web-1 died (its connection ended: EOF; the host answers and its process is gone)"
                                + " (stderr: bye)");
        assertThat(HostProbe.whyEnded("web-1", "EOF", "", "the connection was lost", running))
                .isEqualTo("the connection was lost; the app-server still runs on the host");

        long started = System.nanoTime();
        HostProbe.Probe silent = HostProbe.probe("srv-1", () -> {
            Thread.sleep(10_000);
            return new PinnedSsh.Result(0, listing, "");
        });
        assertThat(silent.view()).isEqualTo(HostProbe.HostView.SILENT);
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started))
                .as("asked for 2.5 s at most")
                .isLessThan(5_000);
        assertThat(HostProbe.whySilent("web-1", 30_000, silent).message())
                .isEqualTo("no data from the host web-1 for 30 s (the SSH path is stalled or the host is down)");

        HostProbe.Probe unreachable = HostProbe.probe("srv-1", () -> {
            throw new IOException("connection refused");
        });
        assertThat(unreachable).isEqualTo(new HostProbe.Probe(HostProbe.HostView.UNREACHABLE, "connection refused"));
        assertThat(HostProbe.whySilent("web-1", 1_000, unreachable).message()).endsWith("; connection refused)");
    }
}
