package io.devopsconsole.agent.codex;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.devopsconsole.events.registry.RuntimeProfileState;
import io.devopsconsole.platform.codex.JsonRpcConnection;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The runner's side of the app-server protocol against a scripted peer on pipes (no SSH, no codex,
 * no Kafka): what each call sends and what it reads from the answer.
 */
class AppServerClientTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final BlockingQueue<JsonNode> sent = new LinkedBlockingQueue<>();
    private final Map<String, Function<JsonNode, JsonNode>> answers = new ConcurrentHashMap<>();
    private JsonRpcConnection rpc;
    private AppServerClient client;
    private Thread server;

    @BeforeEach
    void connect() throws IOException {
        PipedOutputStream toClient = new PipedOutputStream();
        PipedInputStream clientIn = new PipedInputStream(toClient, 1 << 16);
        PipedInputStream serverIn = new PipedInputStream(1 << 16);
        PipedOutputStream clientOut = new PipedOutputStream(serverIn);
        rpc = new JsonRpcConnection(
                        clientIn,
                        clientOut,
                        new JsonRpcConnection.Listener() {
                            @Override
                            public void onNotification(String method, JsonNode params) {}

                            @Override
                            public void onServerRequest(JsonNode id, String method, JsonNode params) {}

                            @Override
                            public void onClosed(String reason) {}
                        },
                        "test")
                .start();
        client = new AppServerClient(rpc, 5);
        server = new Thread(() -> serve(serverIn, toClient), "scripted-app-server");
        server.setDaemon(true);
        server.start();
    }

    @AfterEach
    void close() {
        rpc.close();
        server.interrupt();
    }

    /** Answers each request with the scripted result for its method (an error when there is none), and records what came. */
    private void serve(PipedInputStream in, OutputStream out) {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null) {
                JsonNode m = JSON.readTree(line);
                sent.add(m);
                if (!m.has("id") || !m.has("method")) {
                    continue;
                }
                Function<JsonNode, JsonNode> answer =
                        answers.get(m.get("method").asText());
                ObjectNode reply = JSON.createObjectNode().set("id", m.get("id"));
                if (answer == null) {
                    reply.putObject("error").put("code", -32600).put("message", "no such thread");
                } else {
                    reply.set("result", answer.apply(m.path("params")));
                }
                out.write((reply + "\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        } catch (IOException e) {
            // the client closed the pipe
        }
    }

    private JsonNode next(String method) throws InterruptedException {
        while (true) {
            JsonNode m = sent.poll(5, TimeUnit.SECONDS);
            assertThat(m).as("a message " + method).isNotNull();
            if (method.equals(m.path("method").asText())) {
                return m;
            }
        }
    }

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void initializeNamesTheClientThenSaysInitialized() throws Exception {
        answers.put("initialize", p -> json("{\"userAgent\":\"codex\"}"));
        client.initialize("devops-console");
        JsonNode init = next("initialize");
        assertThat(init.at("/params/clientInfo/name").asText()).isEqualTo("devops-console");
        assertThat(init.at("/params/capabilities/experimentalApi").asBoolean()).isFalse();
        assertThat(next("initialized").has("id")).isFalse();
    }

    @Test
    void aThreadStartsWithTheProfilesPolicySandboxAndModelAndResumesWithoutItsTurns() throws Exception {
        answers.put("thread/start", p -> json("{\"thread\":{\"id\":\"thr_1\"}}"));
        answers.put(
                "thread/resume",
                p -> json("{\"thread\":{\"id\":\"" + p.path("threadId").asText() + "\"}}"));
        RuntimeProfileState.CodexOptions codex =
                new RuntimeProfileState.CodexOptions("gpt-5", null, null, "untrusted", "workspace-write");
        assertThat(client.startThread("/srv/app", "untrusted", codex)).isEqualTo("thr_1");
        JsonNode start = next("thread/start").path("params");
        assertThat(start.path("cwd").asText()).isEqualTo("/srv/app");
        assertThat(start.path("approvalPolicy").asText()).isEqualTo("untrusted");
        assertThat(start.path("sandbox").asText()).isEqualTo("workspace-write");
        assertThat(start.path("model").asText()).isEqualTo("gpt-5");
        assertThat(client.resumeThread("thr_9")).isEqualTo("thr_9");
        assertThat(next("thread/resume").path("params").path("excludeTurns").asBoolean())
                .isTrue();
    }

    @Test
    void aThreadStartAnsweredWithoutAnIdAndARefusalAreErrorsTheDriverCanTellApart() {
        answers.put("thread/start", p -> json("{\"thread\":{}}"));
        assertThatThrownBy(() -> client.startThread("/srv", null, null))
                .isInstanceOf(IOException.class)
                .isNotInstanceOf(AppServerClient.Refused.class)
                .hasMessageContaining("without a thread id");
        assertThatThrownBy(() -> client.resumeThread("gone"))
                .isInstanceOf(AppServerClient.Refused.class)
                .hasMessageContaining("no such thread");
    }

    @Test
    void aTurnCarriesTheOperatorsTextExactlyAndItsIdComesBack() throws Exception {
        answers.put("turn/start", p -> json("{\"turn\":{\"id\":\"turn_7\",\"status\":\"inProgress\"}}"));
        String text = "run `ls` \u202e in /srv \u0000 and tell me";
        assertThat(client.startTurn("thr_1", text)).isEqualTo("turn_7");
        JsonNode params = next("turn/start").path("params");
        assertThat(params.path("threadId").asText()).isEqualTo("thr_1");
        assertThat(params.at("/input/0/type").asText()).isEqualTo("text");
        assertThat(params.at("/input/0/text").asText()).isEqualTo(text);
    }

    @Test
    void approvalsAreAnsweredInTheWordsOfTheMethodThatAsked() throws Exception {
        client.answerApproval(json("3"), "item/commandExecution/requestApproval", true);
        assertThat(next_response()).isEqualTo(json("{\"id\":3,\"result\":{\"decision\":\"accept\"}}"));
        client.answerApproval(json("4"), "item/fileChange/requestApproval", false);
        assertThat(next_response()).isEqualTo(json("{\"id\":4,\"result\":{\"decision\":\"decline\"}}"));
        client.answerApproval(json("5"), "execCommandApproval", true);
        assertThat(next_response().at("/result/decision").asText()).isEqualTo("approved");
        client.answerApproval(json("6"), "applyPatchApproval", false);
        assertThat(next_response().at("/result/decision").asText()).isEqualTo("denied");
        client.refuse(json("7"));
        assertThat(next_response().at("/error/message").asText()).contains("not supported");
    }

    private JsonNode next_response() throws InterruptedException {
        JsonNode m = sent.poll(5, TimeUnit.SECONDS);
        assertThat(m).isNotNull();
        ((ObjectNode) m).remove("jsonrpc");
        return m;
    }

    @Test
    void aTurnIsReadBackWithItsItemsAcrossPagesAndOnlyItsOwn() throws Exception {
        answers.put(
                "thread/turns/list",
                p -> json("{\"data\":[{\"id\":\"t1\",\"status\":\"completed\"},"
                        + "{\"id\":\"t2\",\"status\":\"inProgress\"}]}"));
        answers.put(
                "thread/items/list",
                p -> p.has("cursor")
                        ? json("{\"data\":[{\"turnId\":\"t2\",\"item\":{\"id\":\"i3\"}}],\"nextCursor\":null}")
                        : json(
                                "{\"data\":[{\"turnId\":\"t1\",\"item\":{\"id\":\"i1\"}},{\"turnId\":\"t2\",\"item\":{\"id\":\"i2\"}}],"
                                        + "\"nextCursor\":\"c2\"}"));
        AppServerClient.TurnReadBack back = client.readTurn("thr_1", "t2");
        assertThat(back.status("unknown")).isEqualTo("inProgress");
        assertThat(back.items()).extracting(i -> i.path("id").asText()).containsExactly("i2", "i3");
        assertThat(client.readTurn("thr_1", "t9").status("interrupted")).isEqualTo("interrupted");
    }

    @Test
    void anInterruptIsSentWithoutWaitingForItsAnswer() throws Exception {
        client.interruptTurn("thr_1", "turn_7"); // the scripted server answers it with an error: nobody waits
        JsonNode sentInterrupt = next("turn/interrupt");
        assertThat(sentInterrupt.path("params")).isEqualTo(json("{\"threadId\":\"thr_1\",\"turnId\":\"turn_7\"}"));
        assertThat(List.of(rpc.isClosed())).containsExactly(false);
    }
}
