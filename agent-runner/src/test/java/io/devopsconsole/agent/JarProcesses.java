package io.devopsconsole.agent;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** Starting a packaged service jar as its own process and waiting until it is ready. */
final class JarProcesses {

    private JarProcesses() {}

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Starts the command (output appended to the log) and waits for {@code <base>/q/health/ready}; kills it if it never is. */
    static Process startReady(List<String> command, Path log, String base, String what, Duration within)
            throws Exception {
        Process p = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new IllegalStateException(what + " exited; see " + log);
            }
            try {
                if (http.send(
                                        HttpRequest.newBuilder(URI.create(base + "/q/health/ready"))
                                                .build(),
                                        HttpResponse.BodyHandlers.discarding())
                                .statusCode()
                        == 200) {
                    return p;
                }
            } catch (IOException notYet) {
                // starting
            }
            Thread.sleep(200);
        }
        p.destroyForcibly();
        throw new IllegalStateException(what + " did not become ready; see " + log);
    }
}
