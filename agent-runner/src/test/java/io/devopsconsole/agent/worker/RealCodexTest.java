package io.devopsconsole.agent.worker;

import io.devopsconsole.agent.Runner;
import io.devopsconsole.agent.SshHostResource;
import io.devopsconsole.events.agent.AgentStreamRecord;
import io.devopsconsole.events.agent.ApprovalDecided;
import io.devopsconsole.events.agent.InterruptRequested;
import io.devopsconsole.events.agent.StreamKind;
import io.devopsconsole.events.agent.TurnRequested;
import io.devopsconsole.events.registry.RuntimeProfileState.CodexOptions;
import io.devopsconsole.testkit.Sql;
import io.devopsconsole.testkit.codex.OpenSshServer;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The real tier: the runner drives the real {@code codex app-server} 0.169.0 over Debian OpenSSH on
 * loopback, and codex runs real turns against the scripted Responses-API model server. Commands
 * the agent runs have real effects in the working directory, so approvals are checked by what
 * exists on disk afterwards.
 */
@QuarkusTest
class RealCodexTest {

    OpenSshServer host;
    UUID target;
    Path work;
    UUID project;
    UUID session;

    @BeforeEach
    void realHost(TestInfo test) throws Exception {
        host = SshHostResource.openssh();
        target = Runner.target("real-" + UUID.randomUUID().toString().substring(0, 6), host.port(),
                System.getProperty("user.name"), host.hostKeyLine(), "ready");
        work = SshHostResource.realWork().resolve(test.getTestMethod().orElseThrow().getName());
        project = Runner.project(target, work.toString(), new CodexOptions("mock-model", "mock",
                SshHostResource.model().baseUrl(), "on-request", "workspace-write"));
        session = UUID.randomUUID();
    }

    void say(String text) {
        Runner.send(new TurnRequested(session, project, UUID.randomUUID(), 1, text, "olga"));
    }

    static void assertWellFormed(List<AgentStreamRecord> records) {
        Set<UUID> ids = new HashSet<>();
        for (int i = 0; i < records.size(); i++) {
            assertThat(records.get(i).streamSeq()).isEqualTo(i + 1);
            assertThat(ids.add(records.get(i).recordId())).isTrue();
        }
    }

    @Test
    void aTextTurnStreamsTheModelsDeltas() {
        say("Say hello");
        Runner.awaitRecord(session, StreamKind.TURN_COMPLETED);
        List<AgentStreamRecord> records = Runner.stream(session);
        assertWellFormed(records);
        String deltas = records.stream().filter(r -> r.kind() == StreamKind.AGENT_MESSAGE_DELTA)
                .map(r -> r.payload().path("delta").asText()).collect(Collectors.joining());
        assertThat(deltas).isEqualTo("Hello from the scripted model! 2+2=4.");
        assertThat(records).anyMatch(r -> r.kind() == StreamKind.ITEM_COMPLETED
                && r.payload().path("text").asText().equals(deltas));
        assertThat(records).anyMatch(r -> r.kind() == StreamKind.TOKEN_USAGE && r.payload().path("total_tokens").asLong() > 0);
        assertThat(Files.isDirectory(work)).as("the launch prepared the working directory").isTrue();
    }

    @Test
    void anApprovedCommandRunsOnTheHostAndItsOutputIsRelayed() {
        say("RUN_ESCALATED: echo out-line-1; touch created-by-codex.txt");
        AgentStreamRecord asked = Runner.awaitRecord(session, StreamKind.APPROVAL_REQUESTED);
        assertThat(asked.payload().path("command").asText()).contains("touch created-by-codex.txt");
        assertThat(Files.exists(work.resolve("created-by-codex.txt"))).as("nothing ran before the decision").isFalse();
        Runner.send(new ApprovalDecided(session, UUID.randomUUID(), asked.payload().path("request_id").asText(), "approved", "olga"));
        Runner.awaitRecord(session, StreamKind.TURN_COMPLETED);
        List<AgentStreamRecord> records = Runner.stream(session);
        assertWellFormed(records);
        AgentStreamRecord command = records.stream().filter(r -> r.kind() == StreamKind.ITEM_COMPLETED
                && r.payload().path("item_type").asText().equals("command_execution")).findFirst().orElseThrow();
        assertThat(command.payload().path("exit_code").asInt()).isZero();
        assertThat(command.payload().path("output").asText()).contains("out-line-1");
        assertThat(records).anyMatch(r -> r.kind() == StreamKind.COMMAND_OUTPUT_DELTA);
        assertThat(Files.exists(work.resolve("created-by-codex.txt"))).isTrue();
    }

    @Test
    void aDeclinedCommandNeverRuns() {
        say("RUN_ESCALATED: touch should-not-exist.txt");
        AgentStreamRecord asked = Runner.awaitRecord(session, StreamKind.APPROVAL_REQUESTED);
        Runner.send(new ApprovalDecided(session, UUID.randomUUID(), asked.payload().path("request_id").asText(), "denied", "olga"));
        Runner.awaitRecord(session, StreamKind.TURN_COMPLETED);
        assertWellFormed(Runner.stream(session));
        assertThat(Runner.stream(session)).anyMatch(r -> r.kind() == StreamKind.ITEM_COMPLETED
                && r.payload().path("status").asText().equals("declined"));
        assertThat(Files.exists(work.resolve("should-not-exist.txt"))).isFalse();
    }

    @Test
    void anApprovedFileChangeIsWrittenWithItsDiffShownFirst() throws Exception {
        // under on-request, codex applies patches inside the workspace without asking; "untrusted" asks
        // (and is only accepted in thread/start, which is where the runner passes it)
        project = Runner.project(target, work.toString(), new CodexOptions("mock-model", "mock",
                SshHostResource.model().baseUrl(), "untrusted", "workspace-write"));
        say("APPLY_PATCH please");
        AgentStreamRecord asked = Runner.awaitRecord(session, StreamKind.APPROVAL_REQUESTED);
        assertThat(asked.payload().path("approval_kind").asText()).isEqualTo("file_change");
        AgentStreamRecord change = Runner.awaitRecord(session, StreamKind.FILE_CHANGE);
        assertThat(change.payload().path("diff").asText()).contains("hello from apply_patch");
        assertThat(Files.exists(work.resolve("hello.txt"))).isFalse();
        Runner.send(new ApprovalDecided(session, UUID.randomUUID(), asked.payload().path("request_id").asText(), "approved", "olga"));
        Runner.awaitRecord(session, StreamKind.TURN_COMPLETED);
        assertWellFormed(Runner.stream(session));
        assertThat(Files.readString(work.resolve("hello.txt"))).contains("hello from apply_patch");
    }

    @Test
    void anInterruptEndsARunningTurn() {
        say("STALL please");
        Runner.awaitRecord(session, StreamKind.AGENT_MESSAGE_DELTA);
        Runner.send(new InterruptRequested(session, "olga"));
        Runner.awaitRecord(session, StreamKind.TURN_INTERRUPTED);
        List<AgentStreamRecord> records = Runner.stream(session);
        assertWellFormed(records);
        AgentStreamRecord message = records.stream().filter(r -> r.kind() == StreamKind.ITEM_STARTED
                && r.payload().path("item_type").asText().equals("agent_message")).findFirst().orElseThrow();
        assertThat(records).anyMatch(r -> r.kind() == StreamKind.ITEM_COMPLETED && message.itemId().equals(r.itemId()));
    }

    @Test
    void aModelHttp500FailsTheTurnWithTheReason() {
        say("FAIL500 please");
        AgentStreamRecord failed = Runner.awaitRecord(session, StreamKind.TURN_FAILED);
        assertThat(Runner.awaitRecord(session, StreamKind.ERROR).payload().path("codex_error").asText())
                .isEqualTo("internalServerError");
        assertThat(failed.payload().path("message").asText()).isNotBlank();
        assertWellFormed(Runner.stream(session));
    }

    @Test
    void aStreamFailureMidResponseFailsTheTurn() {
        say("FAILSTREAM please");
        AgentStreamRecord failed = Runner.awaitRecord(session, StreamKind.TURN_FAILED);
        assertThat(failed.payload().path("message").asText()).contains("stream disconnected");
        assertWellFormed(Runner.stream(session));
    }

    @Test
    void aDroppedSshConnectionFailsTheTurnClearlyAndTheNextTurnResumesTheThread() {
        say("Say hello first");
        Runner.awaitRecord(session, StreamKind.TURN_COMPLETED);
        String thread = Runner.awaitRecord(session, StreamKind.WORKER_STATE, 2).payload().path("thread_id").asText();
        say("STALL while the network goes");
        Runner.awaitRecord(session, StreamKind.AGENT_MESSAGE_DELTA, 6);
        assertThat(host.dropConnections()).isPositive();
        AgentStreamRecord failed = Runner.awaitRecord(session, StreamKind.TURN_FAILED);
        assertThat(failed.payload().path("message").asText()).contains("was lost");
        await().atMost(Duration.ofSeconds(10)).until(() ->
                Sql.count("SELECT count(*) FROM agent.worker WHERE session_id = ? AND state = 'lost'", session) == 1);

        say("Say hello after the drop");
        Runner.awaitRecord(session, StreamKind.TURN_COMPLETED, 2);
        List<AgentStreamRecord> records = Runner.stream(session);
        assertWellFormed(records);
        List<String> threads = records.stream().filter(r -> r.kind() == StreamKind.WORKER_STATE
                && r.payload().path("state").asText().equals("ready")).map(r -> r.payload().path("thread_id").asText()).toList();
        assertThat(threads).hasSize(2).containsOnly(thread);
    }
}
