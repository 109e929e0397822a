package io.devopsconsole.agent.codex;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.devopsconsole.agent.SshHostResource;
import io.devopsconsole.platform.codex.JsonRpcConnection;
import io.devopsconsole.platform.codex.WebSocketPipe;
import io.devopsconsole.testkit.codex.CodexHome;
import io.devopsconsole.testkit.codex.ScriptedModelServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The durable transport's building blocks against the real codex 0.169.0 (locally, without SSH):
 * a long-lived {@code app-server --listen unix://<socket>}, reached through {@code app-server proxy
 * --sock} with {@link WebSocketPipe} and {@link JsonRpcConnection#overWebSocket}. A turn waiting for
 * an approval survives the proxy being killed: a new proxy resumes the thread, gets the approval
 * request again, and the answer lets the turn finish.
 */
class DaemonTransportTest {

    static final ObjectMapper JSON = new ObjectMapper();

    ScriptedModelServer model;
    Process daemon;
    Path dir;
    Path socket;
    final List<Process> proxies = new ArrayList<>();

    @BeforeEach
    void daemon() throws Exception {
        model = ScriptedModelServer.start();
        dir = Path.of(System.getProperty("user.dir"), "target", "daemon-test").toAbsolutePath();
        if (Files.exists(dir)) {
            try (var walk = Files.walk(dir)) {
                walk.sorted(java.util.Comparator.reverseOrder())
                        .forEach(p -> p.toFile().delete());
            }
        }
        Files.createDirectories(dir.resolve("work"));
        CodexHome.write(dir.resolve("home"), model.baseUrl());
        socket = dir.resolve("as.sock");
        daemon = codex("app-server", "--listen", "unix://" + socket).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!Files.exists(socket) && System.nanoTime() < deadline) {
            assertThat(daemon.isAlive()).as("the app-server daemon runs").isTrue();
            Thread.sleep(50);
        }
        assertThat(socket).exists();
    }

    @AfterEach
    void stop() throws Exception {
        proxies.forEach(Process::destroyForcibly);
        daemon.destroy();
        daemon.waitFor(5, TimeUnit.SECONDS);
        daemon.destroyForcibly();
        model.close();
    }

    ProcessBuilder codex(String... args) {
        Path bin = SshHostResource.codexBinary();
        List<String> command = new ArrayList<>(List.of(bin.toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command)
                .directory(dir.resolve("work").toFile())
                .redirectError(dir.resolve("codex-" + args[args.length - 1].hashCode() + ".log")
                        .toFile());
        pb.environment().put("CODEX_HOME", dir.resolve("home").toString());
        // commands run in a login shell: not the machine user's profile (see SshHostResource)
        pb.environment().put("HOME", dir.toString());
        pb.environment().put("PATH", bin.getParent().getParent().resolve("codex-path") + ":/usr/bin:/bin");
        return pb;
    }

    /** One connection through a fresh proxy: messages land in {@code inbox} (server requests carry their id). */
    JsonRpcConnection connect(BlockingQueue<JsonNode> inbox) throws Exception {
        return connect(codex("app-server", "proxy", "--sock", socket.toString()).start(), inbox);
    }

    /** A connection over this proxy process, initialized. */
    JsonRpcConnection connect(Process proxy, BlockingQueue<JsonNode> inbox) throws Exception {
        proxies.add(proxy);
        WebSocketPipe ws = WebSocketPipe.open(proxy.getInputStream(), proxy.getOutputStream());
        JsonRpcConnection rpc = JsonRpcConnection.overWebSocket(
                        ws,
                        new JsonRpcConnection.Listener() {
                            @Override
                            public void onNotification(String method, JsonNode params) {
                                inbox.add(JSON.createObjectNode()
                                        .put("method", method)
                                        .set("params", params));
                            }

                            @Override
                            public void onServerRequest(JsonNode id, String method, JsonNode params) {
                                ObjectNode m = JSON.createObjectNode().put("method", method);
                                m.set("id", id);
                                m.set("params", params);
                                inbox.add(m);
                            }

                            @Override
                            public void onClosed(String reason) {
                                inbox.add(JSON.createObjectNode().put("method", "closed"));
                            }
                        },
                        "daemon")
                .start();
        JsonNode init = rpc.request(
                        "initialize",
                        JSON.createObjectNode()
                                .set(
                                        "clientInfo",
                                        JSON.createObjectNode()
                                                .put("name", "devops_console_test")
                                                .put("version", "1")))
                .get(20, TimeUnit.SECONDS);
        assertThat(init.path("userAgent").asText()).contains("0.169.0");
        rpc.notify("initialized", null);
        return rpc;
    }

    static JsonNode next(BlockingQueue<JsonNode> inbox, String method) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            JsonNode m = inbox.poll(100, TimeUnit.MILLISECONDS);
            if (m != null && m.path("method").asText().equals(method)) {
                return m;
            }
        }
        throw new AssertionError("no " + method + " within 30 s");
    }

    @Test
    void aTurnWaitingForApprovalSurvivesTheProxyAndIsAnsweredThroughTheNextOne() throws Exception {
        BlockingQueue<JsonNode> first = new LinkedBlockingQueue<>();
        JsonRpcConnection a = connect(first);
        String thread = a.request(
                        "thread/start",
                        JSON.createObjectNode()
                                .put("cwd", dir.resolve("work").toString())
                                .put("approvalPolicy", "on-request")
                                .put("sandbox", "workspace-write"))
                .get(20, TimeUnit.SECONDS)
                .path("thread")
                .path("id")
                .asText();

        // a text turn over WebSocket frames
        ObjectNode hello = JSON.createObjectNode().put("threadId", thread);
        hello.putArray("input")
                .addObject()
                .put("type", "text")
                .put("text", "Say hello")
                .putArray("text_elements");
        a.request("turn/start", hello).get(20, TimeUnit.SECONDS);
        StringBuilder text = new StringBuilder();
        JsonNode m;
        while (!(m = first.poll(30, TimeUnit.SECONDS)).path("method").asText().equals("turn/completed")) {
            if (m.path("method").asText().equals("item/agentMessage/delta")) {
                text.append(m.path("params").path("delta").asText());
            }
        }
        assertThat(text).hasToString("Hello from the scripted model! 2+2=4.");

        // a turn that waits for a person; then the connection goes away
        ObjectNode ask = JSON.createObjectNode().put("threadId", thread);
        ask.putArray("input")
                .addObject()
                .put("type", "text")
                .put("text", "RUN_ESCALATED: touch survived.txt")
                .putArray("text_elements");
        a.request("turn/start", ask).get(20, TimeUnit.SECONDS);
        JsonNode asked = next(first, "item/commandExecution/requestApproval");
        proxies.get(0).destroyForcibly();
        next(first, "closed");
        assertThat(daemon.isAlive())
                .as("the app-server outlives its connection")
                .isTrue();

        // a new connection resumes the thread and is asked again
        BlockingQueue<JsonNode> second = new LinkedBlockingQueue<>();
        JsonRpcConnection b = connect(second);
        b.request(
                        "thread/resume",
                        JSON.createObjectNode().put("threadId", thread).put("excludeTurns", true))
                .get(20, TimeUnit.SECONDS);
        JsonNode again = next(second, "item/commandExecution/requestApproval");
        assertThat(again.path("params").path("itemId").asText())
                .isEqualTo(asked.path("params").path("itemId").asText());
        b.respond(again.get("id"), JSON.createObjectNode().put("decision", "accept"));
        JsonNode done = next(second, "turn/completed");
        assertThat(done.path("params").path("turn").path("status").asText()).isEqualTo("completed");
        assertThat(dir.resolve("work").resolve("survived.txt")).exists();
        b.close();
    }

    @Test
    void whatHappenedWhileNobodyWasAttachedIsReadBackFromTheThread() throws Exception {
        BlockingQueue<JsonNode> first = new LinkedBlockingQueue<>();
        JsonRpcConnection a = connect(first);
        String thread = a.request(
                        "thread/start",
                        JSON.createObjectNode()
                                .put("cwd", dir.resolve("work").toString())
                                .put("approvalPolicy", "never")
                                .put("sandbox", "danger-full-access"))
                .get(20, TimeUnit.SECONDS)
                .path("thread")
                .path("id")
                .asText();
        ObjectNode ask = JSON.createObjectNode().put("threadId", thread);
        ask.putArray("input")
                .addObject()
                .put("type", "text")
                .put("text", "RUN_EXEC: for i in 1 2 3; do echo tick $i; sleep 0.3; done")
                .putArray("text_elements");
        String turn = a.request("turn/start", ask)
                .get(20, TimeUnit.SECONDS)
                .path("turn")
                .path("id")
                .asText();
        next(first, "item/commandExecution/outputDelta");
        proxies.get(0).destroyForcibly();
        next(first, "closed");
        // the turn goes on and ends with nobody attached: no events are replayed to the next connection
        BlockingQueue<JsonNode> second = new LinkedBlockingQueue<>();
        JsonRpcConnection b = connect(second);
        b.request(
                        "thread/resume",
                        JSON.createObjectNode().put("threadId", thread).put("excludeTurns", true))
                .get(20, TimeUnit.SECONDS);
        JsonNode status = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            for (JsonNode t : b.request(
                            "thread/turns/list", JSON.createObjectNode().put("threadId", thread))
                    .get(20, TimeUnit.SECONDS)
                    .path("data")) {
                if (t.path("id").asText().equals(turn)) {
                    status = t.path("status");
                }
            }
            if (status != null && status.asText().equals("completed")) {
                break;
            }
            Thread.sleep(200);
        }
        assertThat(status).isNotNull();
        assertThat(status.asText()).isEqualTo("completed");
        // ... but the thread has every item, with its turn, final output and end time
        JsonNode items = b.request("thread/items/list", JSON.createObjectNode().put("threadId", thread))
                .get(20, TimeUnit.SECONDS)
                .path("data");
        JsonNode command = null;
        JsonNode message = null;
        for (JsonNode entry : items) {
            assertThat(entry.path("turnId").asText()).isEqualTo(turn);
            if (entry.path("item").path("type").asText().equals("commandExecution")) {
                command = entry.path("item");
            }
            if (entry.path("item").path("type").asText().equals("agentMessage")) {
                message = entry.path("item");
            }
        }
        assertThat(command).isNotNull();
        assertThat(command.path("aggregatedOutput").asText()).contains("tick 1", "tick 3");
        assertThat(command.path("completedAtMs").isNumber()).isTrue();
        assertThat(message).isNotNull();
        assertThat(message.path("text").asText()).startsWith("The command ran.");
        // the mapper turns them into the records the runner sends after a reattach: start and end of each item
        TurnMapper mapper = new TurnMapper(java.util.UUID.randomUUID(), java.util.UUID.randomUUID());
        List<String> kinds = new ArrayList<>();
        for (JsonNode entry : items) {
            mapper.recovered(entry.path("item"), turn)
                    .drafts()
                    .forEach(d -> kinds.add(d.kind().wire() + ":" + d.itemId()));
        }
        assertThat(kinds)
                .containsExactly(
                        "item_started:" + command.path("id").asText(),
                        "item_completed:" + command.path("id").asText(),
                        "item_started:" + message.path("id").asText(),
                        "item_completed:" + message.path("id").asText());
        b.close();
    }

    @Test
    void theDurableLaunchStartsOneAppServerAndLaterLaunchesJoinIt() throws Exception {
        daemon.destroy();
        daemon.waitFor(5, TimeUnit.SECONDS);
        Path state = dir.resolve("state");
        Path program = Files.createDirectories(dir.resolve("bin")).resolve("codex");
        Files.createSymbolicLink(program, SshHostResource.codexBinary());
        LaunchCommand.Durable launch =
                LaunchCommand.durable(program.toString(), dir.resolve("work").toString(), null, state.toString());
        List<Long> servers = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            ProcessBuilder pb = new ProcessBuilder("/bin/sh", "-c", launch.command()).directory(dir.toFile());
            pb.environment().put("CODEX_HOME", dir.resolve("home").toString());
            pb.redirectError(dir.resolve("launch-" + i + ".log").toFile());
            Process proxy = pb.start();
            connect(proxy, new LinkedBlockingQueue<>());
            servers.add(Long.parseLong(
                    Files.readString(state.resolve(launch.serverKey() + ".pid")).trim()));
            proxy.destroyForcibly();
            proxy.waitFor(5, TimeUnit.SECONDS);
        }
        assertThat(servers.get(1))
                .as("the second launch joined the running app-server")
                .isEqualTo(servers.get(0));
        assertThat(ProcessHandle.of(servers.get(0)))
                .as("it outlives its connections")
                .hasValueSatisfying(p -> assertThat(p.isAlive()).isTrue());
        assertThat(Files.readString(state.resolve(launch.serverKey() + ".dir")).trim())
                .isEqualTo(dir.resolve("work").toString());
        assertThat(Files.getPosixFilePermissions(state))
                .as("only the SSH user can reach the socket")
                .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        // the fixed stop command ends it and removes its files
        Process stop = new ProcessBuilder(
                        "/bin/sh", "-c", LaunchCommand.stopServer(state.toString(), launch.serverKey()))
                .start();
        assertThat(stop.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(ProcessHandle.of(servers.get(0)).map(ProcessHandle::isAlive).orElse(false))
                .isFalse();
        assertThat(state.resolve(launch.serverKey() + ".sock")).doesNotExist();
    }
}
