package io.devopsconsole.platform.ssh;

import com.jcraft.jsch.ChannelExec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs a short fixed command on a connected JSch exec channel to its end: optional stdin, stdout
 * read to EOF (first 64 KiB kept) within a timeout (a timer closes an overdue channel under the
 * read), then the exit status. Blocking: worker threads only.
 */
public final class CommandRuns {

    private static final int KEPT = 64 * 1024;
    /** sshd may send the exit status after the end of output; it follows within milliseconds. */
    private static final long EXIT_STATUS_WAIT_MS = 5_000;

    /** What the command printed (stdout) and how it ended. */
    public record Outcome(int exitStatus, String stdout) {}

    private CommandRuns() {}

    public static Outcome complete(
            ChannelExec exec, InputStream stdout, OutputStream stdin, byte[] input, Duration timeout, String where)
            throws IOException {
        if (input != null) {
            stdin.write(input);
            stdin.flush();
        }
        stdin.close();
        var watchdog = CompletableFuture.runAsync(
                exec::disconnect, CompletableFuture.delayedExecutor(timeout.toMillis(), TimeUnit.MILLISECONDS));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        try {
            int n;
            while ((n = stdout.read(buffer)) >= 0) {
                out.write(buffer, 0, Math.min(n, Math.max(0, KEPT - out.size())));
            }
        } catch (IOException closedUnderTheRead) {
            if (!watchdog.isDone()) {
                throw closedUnderTheRead;
            }
        }
        if (!watchdog.cancel(false)) {
            throw new IOException("the command on " + where + " did not finish within " + timeout.toSeconds() + " s");
        }
        // JSch offers no close callback: wait (bounded) for the channel's close, which carries the exit status
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(EXIT_STATUS_WAIT_MS);
        try {
            while (!exec.isClosed() && System.nanoTime() < deadline) {
                Thread.sleep(2);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for the end of a command on " + where);
        }
        return new Outcome(exec.getExitStatus(), out.toString(StandardCharsets.UTF_8));
    }
}
