package io.devopsconsole.agent.worker;

import io.devopsconsole.platform.ssh.PinnedSsh;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * What the host says of a durable worker's app-server, and why the worker went silent or lost its
 * connection, in the operator's words: the host is asked (the fixed listing command, on a
 * connection of its own, 2.5 s at most) whether the app-server still runs, and the answer — or the
 * host's silence — names the cause (with a short code for metrics).
 */
final class HostProbe {

    /** What the host says of a worker's app-server: running, gone, or the host did not answer in time. */
    enum HostView {
        RUNNING,
        GONE,
        SILENT,
        UNREACHABLE
    }

    /** The host's answer ({@code detail}: why it could not be asked). */
    record Probe(HostView view, String detail) {}

    /** Why a worker went silent: a short cause for metrics and a message for the operator. */
    record Diagnosis(String cause, String message) {}

    static final long ANSWER_WITHIN_MILLIS = 2500;

    private static final ExecutorService PROBES = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "worker-probe");
        t.setDaemon(true);
        return t;
    });

    private HostProbe() {}

    /**
     * Asks the host. {@code listing} runs the host's app-server listing (lines {@code <key>\t<pid>\t<alive|dead>});
     * {@code serverKey} is the worker's app-server.
     */
    static Probe probe(String serverKey, Callable<PinnedSsh.Result> listing) {
        Future<PinnedSsh.Result> answer = PROBES.submit(listing);
        try {
            PinnedSsh.Result listed = answer.get(ANSWER_WITHIN_MILLIS, TimeUnit.MILLISECONDS);
            boolean running = serverKey != null
                    && listed.stdout()
                            .lines()
                            .map(l -> l.split("\t"))
                            .anyMatch(f -> f.length >= 3 && f[0].equals(serverKey) && f[2].equals("alive"));
            return new Probe(running ? HostView.RUNNING : HostView.GONE, null);
        } catch (TimeoutException e) {
            answer.cancel(true);
            return new Probe(HostView.SILENT, null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Probe(HostView.UNREACHABLE, "interrupted");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            return new Probe(HostView.UNREACHABLE, cause.getMessage() == null ? cause.toString() : cause.getMessage());
        }
    }

    /** Why the worker on {@code target} stopped answering pings for {@code quietMillis}. */
    static Diagnosis whySilent(String target, long quietMillis, Probe p) {
        String quiet = "no answer to pings for " + (quietMillis / 100) / 10.0 + " s";
        return switch (p.view()) {
            case GONE ->
                new Diagnosis(
                        "app_server_died",
                        "the app-server on " + target + " died (" + quiet
                                + "; the host answers and its process is gone)");
            case RUNNING ->
                new Diagnosis(
                        "app_server_hung",
                        "the app-server on " + target + " stopped answering (" + quiet + "; its process still runs)");
            case SILENT ->
                new Diagnosis(
                        "host_silent",
                        "no data from the host " + target + " for " + (quietMillis / 1000)
                                + " s (the SSH path is stalled or the host is down)");
            case UNREACHABLE ->
                new Diagnosis(
                        "host_unreachable",
                        "the host " + target + " cannot be reached (" + quiet + "; " + p.detail() + ")");
        };
    }

    /**
     * Why a durable worker's connection ended ({@code reason}: how it ended; {@code stderrTail}: what
     * the remote end said, or empty; {@code plain}: the message when the host cannot say more).
     */
    static String whyEnded(String target, String reason, String stderrTail, String plain, Probe p) {
        return switch (p.view()) {
            case GONE ->
                "the app-server on " + target + " died (its connection ended: " + reason
                        + "; the host answers and its process is gone)" + stderrTail;
            case SILENT ->
                "no data from the host " + target + " (the connection ended: " + reason
                        + "; the host does not answer: the SSH path is stalled or the host is down)";
            case UNREACHABLE ->
                "the host " + target + " cannot be reached (the connection ended: " + reason + "; " + p.detail() + ")";
            case RUNNING -> plain + "; the app-server still runs on the host";
        };
    }
}
