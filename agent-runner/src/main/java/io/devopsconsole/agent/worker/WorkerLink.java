package io.devopsconsole.agent.worker;

import com.fasterxml.jackson.databind.JsonNode;
import io.devopsconsole.agent.codex.AppServerClient;
import io.devopsconsole.agent.codex.LaunchCommand;
import io.devopsconsole.agent.ssh.SshConnector;
import io.devopsconsole.events.registry.RuntimeProfileState;
import io.devopsconsole.platform.codex.JsonRpcConnection;
import io.devopsconsole.platform.codex.WebSocketPipe;
import io.devopsconsole.platform.redaction.SecretScanner;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * The runner's link to a worker's app-server: connects over SSH (a stdio app-server, or a durable
 * one through {@code app-server proxy} and a WebSocket), says hello and opens the thread, closes, and
 * stops a durable app-server on its host. What arrives on a connection is reported to the session's
 * driver through a {@link Listener}, tagged with the connection's generation so that messages of a
 * connection that was since replaced can be told apart. Blocking: the session's own thread.
 */
final class WorkerLink {

    /** What a connection reports; called on the connection's reader thread. */
    interface Listener {
        void onNotification(Worker w, int generation, String method, JsonNode params);

        void onServerRequest(Worker w, int generation, JsonNode id, String method, JsonNode params);

        void onClosed(Worker w, int generation, String reason);
    }

    private static final Logger LOG = Logger.getLogger(WorkerLink.class);
    static final long RPC_TIMEOUT_SECONDS = 30;
    static final long UPGRADE_TIMEOUT_SECONDS = 10;
    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "worker-upgrade-watchdog");
        t.setDaemon(true);
        return t;
    });

    private final SshConnector ssh;
    private final String sessionName;
    private final String clientName;
    private final String stateDirectory;
    private final Listener listener;

    WorkerLink(SshConnector ssh, String sessionName, String clientName, String stateDirectory, Listener listener) {
        this.ssh = ssh;
        this.sessionName = sessionName;
        this.clientName = clientName;
        this.stateDirectory = stateDirectory;
        this.listener = listener;
    }

    /** Starts a stdio app-server (the launch command) and connects to its standard streams. */
    void connectStdio(Worker w, String command) throws IOException {
        w.channel = ssh.exec(w.target, command);
        w.rpc = new JsonRpcConnection(w.channel.stdout(), w.channel.stdin(), reporter(w), name(w)).start();
        w.app = new AppServerClient(w.rpc, RPC_TIMEOUT_SECONDS);
    }

    /** Connects to a durable app-server (starting it, or attaching to it) through its proxy's WebSocket. */
    void connectDurable(Worker w, String command) throws IOException {
        w.channel = ssh.exec(w.target, command);
        WebSocketPipe ws;
        // an app-server that accepts the connection but never answers (hung, stopped) must not hold this
        // session's thread: the channel is closed after the upgrade timeout, which ends the read below
        var opening = w.channel;
        ScheduledFuture<?> watchdog = WATCHDOG.schedule(opening::close, UPGRADE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        try {
            ws = WebSocketPipe.open(w.channel.stdout(), w.channel.stdin());
            if (!watchdog.cancel(false)) {
                throw new IOException("no WebSocket upgrade within " + UPGRADE_TIMEOUT_SECONDS + " s");
            }
        } catch (IOException e) {
            watchdog.cancel(false);
            String stderr = w.channel.stderrTail();
            close(w);
            throw new IOException(
                    "the durable app-server did not answer"
                            + (stderr == null || stderr.isBlank()
                                    ? ""
                                    : ": " + SecretScanner.redactText(lastLine(stderr))),
                    e);
        }
        w.rpc = JsonRpcConnection.overWebSocket(ws, reporter(w), name(w)).start();
        w.app = new AppServerClient(w.rpc, RPC_TIMEOUT_SECONDS);
    }

    /** {@code initialize}: the first thing said on every connection. */
    void hello(Worker w) throws IOException {
        w.app.initialize(clientName);
    }

    /** Resumes the thread the session had on this target (a new worker continues the conversation), else starts one. */
    String openThread(Worker w, String known, String directory, RuntimeProfileState.CodexOptions codex)
            throws IOException {
        if (known != null) {
            try {
                return w.app.resumeThread(known);
            } catch (AppServerClient.Refused e) {
                LOG.infof(
                        "%s: thread %s could not be resumed (%s); starting a new one",
                        sessionName, known, e.getMessage());
            }
        }
        return w.app.startThread(directory, LaunchCommand.threadStartPolicy(codex), codex);
    }

    /** Closes this runner's connection (a durable app-server keeps running). */
    static void close(Worker w) {
        if (w.rpc != null) {
            w.rpc.close();
        }
        if (w.channel != null) {
            w.channel.close();
        }
        w.rpc = null;
        w.channel = null;
    }

    /** Stops a durable worker's app-server on its host (the fixed stop command; failures are logged). */
    void stopServer(Worker w) {
        if (w.view.serverKey() == null) {
            return;
        }
        try {
            ssh.run(w.target, LaunchCommand.stopServer(stateDirectory, w.view.serverKey()), Duration.ofSeconds(20));
        } catch (IOException | IllegalArgumentException e) {
            LOG.warnf(
                    "%s: the app-server %s on %s was not stopped: %s",
                    sessionName, w.view.serverKey(), w.target.name(), e.getMessage());
        }
    }

    /** The app-server's last line of stderr, redacted, as a suffix for messages ("" when it said nothing). */
    static String stderrTail(Worker w) {
        String stderr = w.channel == null ? null : w.channel.stderrTail();
        if (stderr == null || stderr.isBlank()) {
            return "";
        }
        return "; last app-server output: " + SecretScanner.redactText(lastLine(stderr));
    }

    private static String lastLine(String text) {
        String last = text.strip();
        int cut = last.lastIndexOf('\n');
        return cut >= 0 ? last.substring(cut + 1) : last;
    }

    private String name(Worker w) {
        return sessionName + "@" + w.target.name();
    }

    /** A new connection: the worker's generation moves on, and this connection's messages carry it. */
    private JsonRpcConnection.Listener reporter(Worker w) {
        int generation = ++w.generation;
        return new JsonRpcConnection.Listener() {
            @Override
            public void onNotification(String method, JsonNode params) {
                w.lastActivityNanos = System.nanoTime();
                listener.onNotification(w, generation, method, params);
            }

            @Override
            public void onServerRequest(JsonNode id, String method, JsonNode params) {
                w.lastActivityNanos = System.nanoTime();
                listener.onServerRequest(w, generation, id, method, params);
            }

            @Override
            public void onClosed(String reason) {
                listener.onClosed(w, generation, reason);
            }
        };
    }
}
