package io.devopsconsole.agent.codex;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.devopsconsole.events.agent.StreamKind;
import io.devopsconsole.platform.codex.JsonRpcConnection;
import io.devopsconsole.testkit.codex.ScriptedAppServer;
import java.io.ByteArrayOutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The parser and mapper against the real binary's captured output (no Quarkus, no network). */
class TranscriptMappingTest {

    static final ObjectMapper JSON = new ObjectMapper();

    /** Feeds the server's lines of a transcript through the mapper, answering approvals as approved. */
    static List<TurnMapper.Draft> map(String transcript) {
        TurnMapper mapper = new TurnMapper(UUID.randomUUID(), UUID.randomUUID());
        List<TurnMapper.Draft> drafts = new ArrayList<>();
        for (var line : ScriptedAppServer.transcript(transcript)) {
            JsonNode m = line.msg();
            if (!line.fromServer() || !m.has("method")) {
                continue;
            }
            if (m.has("id")) {
                TurnMapper.PendingApproval p =
                        mapper.approvalRequest(m.get("id"), m.get("method").asText(), m.path("params"), drafts);
                mapper.decided(p.requestKey(), "approved");
            } else {
                drafts.addAll(mapper.notification(m.get("method").asText(), m.path("params"))
                        .drafts());
            }
        }
        return drafts;
    }

    /**
     * Every record the real binary's captured transcripts map to is a valid record of the typed stream
     * contract (its payload reads into the kind's type with no field left over, and the record
     * validates against the generated JSON Schema); approvals carry the runner's risk and commands
     * the runner's outcome.
     */
    @Test
    void everyRecordTheCapturedTranscriptsMapToIsAValidTypedRecord() throws Exception {
        com.networknt.schema.Schema schema = com.networknt.schema.SchemaRegistry.withDialect(
                        com.networknt.schema.dialect.Dialects.getDraft202012())
                .getSchema(io.devopsconsole.events.agent.stream.StreamContract.schema());
        java.util.Map<String, java.util.Set<String>> outcomes = new java.util.TreeMap<>();
        long seq = 0;
        for (String transcript : List.of(
                "text", "shell_accept", "shell_decline", "patch_accept", "interrupt", "failstream", "fail500")) {
            for (TurnMapper.Draft d : map(transcript)) {
                var payload = io.devopsconsole.events.agent.stream.StreamContract.readStrictly(d.kind(), d.payload());
                assertThat(payload.streamKind()).as(transcript + " " + d).isEqualTo(d.kind());
                var record = new io.devopsconsole.events.agent.AgentStreamRecord(
                        UUID.randomUUID(),
                        UUID.randomUUID(),
                        ++seq,
                        d.kind(),
                        d.turnId(),
                        d.itemId(),
                        UUID.randomUUID(),
                        java.time.OffsetDateTime.now(),
                        d.payload(),
                        1L);
                assertThat(schema.validate(
                                io.devopsconsole.events.EventJson.mapper().valueToTree(record)))
                        .as(transcript + " " + d)
                        .isEmpty();
                if (payload instanceof io.devopsconsole.events.agent.stream.StreamPayload.ApprovalRequested a) {
                    assertThat(a.risk())
                            .as("the runner judges the risk of " + a.command())
                            .isNotNull();
                }
                if (payload instanceof io.devopsconsole.events.agent.stream.StreamPayload.ItemCompleted.Command c) {
                    outcomes.computeIfAbsent(transcript, k -> new java.util.TreeSet<>())
                            .add(c.outcome().wire());
                }
            }
        }
        assertThat(outcomes)
                .containsEntry("shell_accept", java.util.Set.of("succeeded"))
                .containsEntry("shell_decline", java.util.Set.of("declined"));
    }

    @Test
    void textTurnDeltasConcatenateToTheFinalText() {
        List<TurnMapper.Draft> drafts = map("text");
        String deltas = drafts.stream()
                .filter(d -> d.kind() == StreamKind.AGENT_MESSAGE_DELTA)
                .map(d -> d.payload().path("delta").asText())
                .collect(Collectors.joining());
        assertThat(deltas).isEqualTo("Hello from the scripted model! 2+2=4.");
        assertThat(drafts.get(drafts.size() - 1).kind()).isEqualTo(StreamKind.TURN_COMPLETED);
        assertThat(drafts).noneMatch(d -> d.payload().path("item_type").asText().equals("user_message"));
    }

    @Test
    void commandApprovalMapsToRequestResolutionOutputAndResult() {
        List<TurnMapper.Draft> drafts = map("shell_accept");
        List<StreamKind> kinds = drafts.stream().map(TurnMapper.Draft::kind).toList();
        assertThat(kinds)
                .containsSubsequence(
                        StreamKind.ITEM_STARTED,
                        StreamKind.APPROVAL_REQUESTED,
                        StreamKind.APPROVAL_RESOLVED,
                        StreamKind.COMMAND_OUTPUT_DELTA,
                        StreamKind.ITEM_COMPLETED,
                        StreamKind.TURN_COMPLETED);
        TurnMapper.Draft request = drafts.stream()
                .filter(d -> d.kind() == StreamKind.APPROVAL_REQUESTED)
                .findFirst()
                .orElseThrow();
        TurnMapper.Draft result = drafts.stream()
                .filter(d -> d.kind() == StreamKind.ITEM_COMPLETED
                        && d.payload().path("item_type").asText().equals("command_execution"))
                .findFirst()
                .orElseThrow();
        assertThat(result.payload().path("approval_request_id").asText())
                .isEqualTo(request.payload().path("request_id").asText());
        assertThat(result.payload().path("exit_code").asInt()).isZero();
        assertThat(result.payload().path("output").asText())
                .contains("out-line-1")
                .contains("out-line-2");
    }

    @Test
    void anInterruptedTurnClosesTheItemTheBinaryLeftOpen() {
        List<TurnMapper.Draft> drafts = map("interrupt");
        TurnMapper.Draft started = drafts.stream()
                .filter(d -> d.kind() == StreamKind.ITEM_STARTED)
                .findFirst()
                .orElseThrow();
        assertThat(drafts)
                .anyMatch(d -> d.kind() == StreamKind.ITEM_COMPLETED
                        && d.itemId().equals(started.itemId())
                        && d.payload().path("status").asText().equals("interrupted"));
        assertThat(drafts.get(drafts.size() - 1).kind()).isEqualTo(StreamKind.TURN_INTERRUPTED);
    }

    @Test
    void failuresCarryTheMessageAndALooseErrorKind() {
        List<TurnMapper.Draft> drafts = map("failstream");
        TurnMapper.Draft error = drafts.stream()
                .filter(d -> d.kind() == StreamKind.ERROR)
                .findFirst()
                .orElseThrow();
        assertThat(error.payload().path("message").asText()).contains("stream disconnected");
        assertThat(drafts.get(drafts.size() - 1).kind()).isEqualTo(StreamKind.TURN_FAILED);
        assertThat(drafts.get(drafts.size() - 1).payload().path("message").asText())
                .contains("stream disconnected");
    }

    @Test
    void clientAndServerIdsAreSeparateAndGarbageIsSkipped() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        PipedOutputStream serverOut = new PipedOutputStream();
        PipedInputStream clientIn = new PipedInputStream(serverOut);
        ByteArrayOutputStream clientOut = new ByteArrayOutputStream();
        JsonRpcConnection rpc = new JsonRpcConnection(
                        clientIn,
                        clientOut,
                        new JsonRpcConnection.Listener() {
                            @Override
                            public void onNotification(String method, JsonNode params) {
                                seen.add("notification " + method);
                            }

                            @Override
                            public void onServerRequest(JsonNode id, String method, JsonNode params) {
                                seen.add("request " + id + " " + method);
                            }

                            @Override
                            public void onClosed(String reason) {
                                seen.add("closed");
                            }
                        },
                        "test")
                .start();
        var answer = rpc.request("initialize", JSON.createObjectNode()); // our id 0
        String lines = String.join(
                        "\n",
                        "this is not json",
                        "{\"id\":0,\"method\":\"item/commandExecution/requestApproval\",\"params\":{}}", // the server's
                        // id 0
                        "{\"method\":\"some/future/notification\",\"params\":{\"x\":1},\"emittedAtMs\":1}",
                        "[1,2,3]",
                        "{\"id\":0,\"result\":{\"userAgent\":\"x\"}}")
                + "\n";
        serverOut.write(lines.getBytes(StandardCharsets.UTF_8));
        serverOut.flush();
        assertThat(answer.get(5, TimeUnit.SECONDS).path("userAgent").asText()).isEqualTo("x");
        serverOut.close();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!seen.contains("closed") && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(seen)
                .containsExactly(
                        "request 0 item/commandExecution/requestApproval",
                        "notification some/future/notification",
                        "closed");
        assertThat(clientOut.toString(StandardCharsets.UTF_8))
                .isEqualTo("{\"id\":0,\"method\":\"initialize\",\"params\":{}}\n");
    }

    @Test
    void undecodableBytesFromTheAppServerArriveAsEscapedBytesNotReplacementCharacters() throws Exception {
        List<JsonNode> params = new CopyOnWriteArrayList<>();
        PipedOutputStream serverOut = new PipedOutputStream();
        PipedInputStream clientIn = new PipedInputStream(serverOut);
        new JsonRpcConnection(
                        clientIn,
                        new ByteArrayOutputStream(),
                        new JsonRpcConnection.Listener() {
                            @Override
                            public void onNotification(String method, JsonNode p) {
                                params.add(p);
                            }

                            @Override
                            public void onServerRequest(JsonNode id, String method, JsonNode p) {}

                            @Override
                            public void onClosed(String reason) {}
                        },
                        "test")
                .start();
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        line.write("{\"method\":\"item/commandExecution/outputDelta\",\"params\":{\"delta\":\"a"
                .getBytes(StandardCharsets.UTF_8));
        line.write(new byte[] {(byte) 0xFF, (byte) 0xC3});
        line.write("b\\u0000c\"}}\r\n".getBytes(StandardCharsets.UTF_8));
        serverOut.write(line.toByteArray());
        // a 1 MB line (a command that prints one long line) arrives whole, after it
        serverOut.write(("{\"method\":\"item/commandExecution/outputDelta\",\"params\":{\"delta\":\""
                        + "x".repeat(1 << 20) + "\"}}\n")
                .getBytes(StandardCharsets.UTF_8));
        serverOut.close();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (params.size() < 2 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        String delta = params.get(0).path("delta").asText();
        assertThat(delta).isEqualTo("a\uDCFF\uDCC3b\u0000c");
        // and in the stored form: every byte and the NUL visible and recoverable
        assertThat(io.devopsconsole.platform.text.StoredText.encode(delta))
                .isEqualTo("a\u29F5udcff\u29F5udcc3b\u29F5u0000c");
        assertThat(params.get(1).path("delta").asText()).hasSize(1 << 20);
    }

    @Test
    void commandDurationsSayWhereTheyCameFromAndCodexZeroIsNotAFact() {
        TurnMapper mapper = new TurnMapper(UUID.randomUUID(), UUID.randomUUID());
        startCommand(mapper, "c1", "sleep 0.05");
        startCommand(mapper, "c2", "true");
        try {
            Thread.sleep(60);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
        var measured = mapper.notification(
                        "item/completed",
                        JSON.createObjectNode()
                                .put("turnId", "t")
                                .set(
                                        "item",
                                        JSON.createObjectNode()
                                                .put("type", "commandExecution")
                                                .put("id", "c1")
                                                .put("command", "sleep 0.05")
                                                .put("status", "completed")
                                                .put("exitCode", 0)
                                                .put("durationMs", 0)))
                .drafts()
                .get(0)
                .payload();
        assertThat(measured.path("duration_source").asText()).isEqualTo("measured_by_runner");
        assertThat(measured.path("duration_ms").asLong()).isBetween(50L, 5_000L);
        var fromCodex = mapper.notification(
                        "item/completed",
                        JSON.createObjectNode()
                                .put("turnId", "t")
                                .set(
                                        "item",
                                        JSON.createObjectNode()
                                                .put("type", "commandExecution")
                                                .put("id", "c2")
                                                .put("command", "true")
                                                .put("status", "completed")
                                                .put("exitCode", 0)
                                                .put("durationMs", 345)))
                .drafts()
                .get(0)
                .payload();
        assertThat(fromCodex.path("duration_source").asText()).isEqualTo("codex");
        assertThat(fromCodex.path("duration_ms").asLong()).isEqualTo(345);
        // an item that started before this runner attached: no start known, codex says 0 -> no duration at all
        var unknown = mapper.recovered(
                        JSON.createObjectNode()
                                .put("type", "commandExecution")
                                .put("id", "c3")
                                .put("command", "x")
                                .put("status", "completed")
                                .put("durationMs", 0),
                        "t")
                .drafts();
        assertThat(unknown.get(unknown.size() - 1).payload().has("duration_ms")).isFalse();
    }

    @Test
    void theProvidersOwnWordsAreKeptNextToCodexsMessage() {
        TurnMapper mapper = new TurnMapper(UUID.randomUUID(), UUID.randomUUID());
        var error = JSON.createObjectNode()
                .put("message", "We're currently experiencing high demand")
                .put("codexErrorInfo", "internalServerError")
                .put("additionalDetails", "upstream said: model overloaded (req 42)");
        var payload = mapper.notification(
                        "error",
                        JSON.createObjectNode()
                                .put("turnId", "t")
                                .put("willRetry", false)
                                .set("error", error))
                .drafts()
                .get(0)
                .payload();
        assertThat(payload.path("message").asText()).contains("high demand");
        assertThat(payload.path("provider_details").asText()).isEqualTo("upstream said: model overloaded (req 42)");
        assertThat(payload.path("codex_error").asText()).isEqualTo("internalServerError");
    }

    static com.fasterxml.jackson.databind.node.ObjectNode agentItem(String id, String text) {
        return JSON.createObjectNode()
                .put("type", "agentMessage")
                .put("id", id)
                .put("text", text)
                .put("status", "inProgress");
    }

    @Test
    void aReattachSendsExactlyTheTextMissedWhileDetachedAndATakeoverSendsAGapWithEverything() {
        TurnMapper live = new TurnMapper(UUID.randomUUID(), UUID.randomUUID());
        live.notification(
                "item/started", JSON.createObjectNode().put("turnId", "t").set("item", agentItem("m1", "")));
        live.notification(
                "item/agentMessage/delta",
                JSON.createObjectNode().put("turnId", "t").put("itemId", "m1").put("delta", "Hel"));
        // detached: codex went on to "Hello, wor" meanwhile
        List<TurnMapper.Draft> back =
                live.recovered(agentItem("m1", "Hello, wor"), "t").drafts();
        assertThat(back).singleElement().satisfies(d -> {
            assertThat(d.kind()).isEqualTo(StreamKind.AGENT_MESSAGE_DELTA);
            assertThat(d.payload().path("delta").asText()).isEqualTo("lo, wor");
            assertThat(d.payload().path("recovered").asBoolean()).isTrue();
        });
        assertThat(live.recovered(agentItem("m1", "Hello, wor"), "t").drafts())
                .as("nothing twice")
                .isEmpty();

        // a new owner knows nothing of what was streamed: everything so far, as a gap record
        TurnMapper taker = new TurnMapper(UUID.randomUUID(), UUID.randomUUID());
        List<TurnMapper.Draft> taken =
                taker.recovered(agentItem("m1", "Hello, wor"), "t").drafts();
        assertThat(taken)
                .extracting(TurnMapper.Draft::kind)
                .containsExactly(StreamKind.ITEM_STARTED, StreamKind.STREAM_GAP);
        assertThat(taken.get(1).payload().path("text").asText()).isEqualTo("Hello, wor");
        assertThat(taken.get(1).payload().path("recovered").asBoolean()).isTrue();

        // the turn then fails before the item ends: the item is closed with everything it said
        taker.notification(
                "item/agentMessage/delta",
                JSON.createObjectNode().put("turnId", "t").put("itemId", "m1").put("delta", "ld"));
        List<TurnMapper.Draft> ended =
                taker.turnEnded("t", "failed", "provider error").drafts();
        assertThat(ended.get(0).kind()).isEqualTo(StreamKind.ITEM_COMPLETED);
        assertThat(ended.get(0).payload().path("text").asText()).isEqualTo("Hello, world");
    }

    /**
     * A takeover where codex lists no unfinished item on resume (seen with the real binary: an agent
     * message in progress is not in the resumed thread): the first delta the new owner relays is
     * preceded by one stream_gap saying the live stream misses the start; later deltas are not.
     */
    @Test
    void deltasOfAnItemWhoseStartThisRunnerNeverSawAreMarkedAsAGapOnce() {
        TurnMapper taker = new TurnMapper(UUID.randomUUID(), UUID.randomUUID());
        List<TurnMapper.Draft> first = taker.notification(
                        "item/agentMessage/delta",
                        JSON.createObjectNode()
                                .put("turnId", "t")
                                .put("itemId", "m9")
                                .put("delta", " 53"))
                .drafts();
        assertThat(first)
                .extracting(TurnMapper.Draft::kind)
                .containsExactly(StreamKind.STREAM_GAP, StreamKind.AGENT_MESSAGE_DELTA);
        assertThat(first.get(0).payload().path("recovered").asBoolean(true)).isFalse();
        assertThat(first.get(0).payload().path("item_type").asText()).isEqualTo("agent_message");
        assertThat(first.get(1).payload().path("delta").asText()).isEqualTo(" 53");
        assertThat(taker.notification(
                                "item/agentMessage/delta",
                                JSON.createObjectNode()
                                        .put("turnId", "t")
                                        .put("itemId", "m9")
                                        .put("delta", " 54"))
                        .drafts())
                .extracting(TurnMapper.Draft::kind)
                .containsExactly(StreamKind.AGENT_MESSAGE_DELTA);

        // an item whose start was seen live: no gap
        taker.notification(
                "item/started", JSON.createObjectNode().put("turnId", "t").set("item", agentItem("m10", "")));
        assertThat(taker.notification(
                                "item/agentMessage/delta",
                                JSON.createObjectNode()
                                        .put("turnId", "t")
                                        .put("itemId", "m10")
                                        .put("delta", "a"))
                        .drafts())
                .extracting(TurnMapper.Draft::kind)
                .containsExactly(StreamKind.AGENT_MESSAGE_DELTA);
    }

    static com.fasterxml.jackson.databind.node.ObjectNode commandDone(String id, String output, long completedAtMs) {
        return JSON.createObjectNode()
                .put("type", "commandExecution")
                .put("id", id)
                .put("command", "ticks")
                .put("status", "completed")
                .put("exitCode", 0)
                .put("aggregatedOutput", output)
                .put("completedAtMs", completedAtMs);
    }

    @Test
    void aCommandThatEndedWhileDetachedGetsItsMissedOutputOrAGapBeforeItsEnd() {
        TurnMapper live = new TurnMapper(UUID.randomUUID(), UUID.randomUUID());
        startCommand(live, "c1", "ticks");
        live.notification(
                "item/commandExecution/outputDelta",
                JSON.createObjectNode().put("turnId", "t").put("itemId", "c1").put("delta", "tick 1\n"));
        List<TurnMapper.Draft> back = live.recovered(commandDone("c1", "tick 1\ntick 2\n", 2_000), "t")
                .drafts();
        assertThat(back)
                .extracting(TurnMapper.Draft::kind)
                .containsExactly(StreamKind.COMMAND_OUTPUT_DELTA, StreamKind.ITEM_COMPLETED);
        assertThat(back.get(0).payload().path("delta").asText()).isEqualTo("tick 2\n");

        // taken over: an item that ended after the old owner's last sign of life is marked; one before it is not
        TurnMapper taker = new TurnMapper(UUID.randomUUID(), UUID.randomUUID());
        assertThat(taker.recovered(commandDone("c2", "late\n", 5_000), "t", 4_000L)
                        .drafts())
                .extracting(TurnMapper.Draft::kind)
                .containsExactly(StreamKind.ITEM_STARTED, StreamKind.STREAM_GAP, StreamKind.ITEM_COMPLETED);
        assertThat(taker.recovered(commandDone("c3", "early\n", 3_000), "t", 4_000L)
                        .drafts())
                .extracting(TurnMapper.Draft::kind)
                .containsExactly(StreamKind.ITEM_STARTED, StreamKind.ITEM_COMPLETED);
    }

    @Test
    void outputCodexReportsBeyondWhatItStreamedGoesOutAsDeltasUpToTheLimitAndTheEndSaysHowMuchThereWas() {
        TurnMapper mapper = new TurnMapper(UUID.randomUUID(), UUID.randomUUID());
        startCommand(mapper, "c1", "seq 1 30000");
        mapper.notification(
                "item/commandExecution/outputDelta",
                JSON.createObjectNode().put("turnId", "t").put("itemId", "c1").put("delta", "1\n"));
        StringBuilder whole = new StringBuilder();
        for (int i = 1; i <= 30000; i++) {
            whole.append(i).append('\n');
        }
        List<TurnMapper.Draft> end = mapper.notification(
                        "item/completed",
                        JSON.createObjectNode().put("turnId", "t").set("item", commandDone("c1", whole.toString(), 1)))
                .drafts();
        // streamed "1\n" live; the rest follows in 64 KiB pieces, then the end with the tail and the whole size
        List<TurnMapper.Draft> deltas = end.subList(0, end.size() - 1);
        assertThat(deltas)
                .allMatch(d -> d.kind() == StreamKind.COMMAND_OUTPUT_DELTA
                        && d.payload().path("recovered").asBoolean()
                        && d.payload().path("delta").asText().length() <= TurnMapper.DELTA_CHUNK);
        String resent = deltas.stream()
                .map(d -> d.payload().path("delta").asText())
                .collect(java.util.stream.Collectors.joining());
        assertThat("1\n" + resent).isEqualTo(whole.toString());
        TurnMapper.Draft done = end.get(end.size() - 1);
        assertThat(done.kind()).isEqualTo(StreamKind.ITEM_COMPLETED);
        assertThat(done.payload().path("output_chars").asInt()).isEqualTo(whole.length());
        assertThat(done.payload().path("output").asText())
                .hasSize(TurnMapper.OUTPUT_TAIL)
                .isEqualTo(whole.substring(whole.length() - TurnMapper.OUTPUT_TAIL));

        // nothing streamed and more than the limit: the first OUTPUT_KEEP characters are sent, the size says the rest
        TurnMapper quiet = new TurnMapper(UUID.randomUUID(), UUID.randomUUID());
        startCommand(quiet, "c2", "cat big.log");
        String huge = "x".repeat(TurnMapper.OUTPUT_KEEP + 5000);
        List<TurnMapper.Draft> q = quiet.notification(
                        "item/completed",
                        JSON.createObjectNode().put("turnId", "t").set("item", commandDone("c2", huge, 1)))
                .drafts();
        assertThat(q.stream()
                        .filter(d -> d.kind() == StreamKind.COMMAND_OUTPUT_DELTA)
                        .mapToInt(d -> d.payload().path("delta").asText().length())
                        .sum())
                .isEqualTo(TurnMapper.OUTPUT_KEEP);
        assertThat(q.get(q.size() - 1).payload().path("output_chars").asInt()).isEqualTo(huge.length());

        // a pair across the limit or a piece boundary is never split (the piece ends before it)
        TurnMapper paired = new TurnMapper(UUID.randomUUID(), UUID.randomUUID());
        startCommand(paired, "c4", "cat emoji.log");
        String pairs = "x".repeat(TurnMapper.DELTA_CHUNK - 1) + "\uD83D\uDE00".repeat(TurnMapper.OUTPUT_KEEP / 2);
        List<String> pieces = paired
                .notification(
                        "item/completed",
                        JSON.createObjectNode().put("turnId", "t").set("item", commandDone("c4", pairs, 1)))
                .drafts()
                .stream()
                .filter(d -> d.kind() == StreamKind.COMMAND_OUTPUT_DELTA)
                .map(d -> d.payload().path("delta").asText())
                .toList();
        assertThat(pieces).allMatch(p -> !Character.isHighSurrogate(p.charAt(p.length() - 1)));
        assertThat(String.join("", pieces)).isEqualTo(pairs.substring(0, TurnMapper.OUTPUT_KEEP - 1));

        // everything streamed live: only the end
        TurnMapper all = new TurnMapper(UUID.randomUUID(), UUID.randomUUID());
        startCommand(all, "c3", "ls");
        all.notification(
                "item/commandExecution/outputDelta",
                JSON.createObjectNode().put("turnId", "t").put("itemId", "c3").put("delta", "a\nb\n"));
        assertThat(all.notification(
                                "item/completed",
                                JSON.createObjectNode().put("turnId", "t").set("item", commandDone("c3", "a\nb\n", 1)))
                        .drafts())
                .extracting(TurnMapper.Draft::kind)
                .containsExactly(StreamKind.ITEM_COMPLETED);
    }

    private static void startCommand(TurnMapper mapper, String id, String command) {
        mapper.notification(
                "item/started",
                JSON.createObjectNode()
                        .put("turnId", "t")
                        .set(
                                "item",
                                JSON.createObjectNode()
                                        .put("type", "commandExecution")
                                        .put("id", id)
                                        .put("command", command)));
    }
}
