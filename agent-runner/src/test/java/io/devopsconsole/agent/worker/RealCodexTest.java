package io.devopsconsole.agent.worker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.devopsconsole.agent.ConsoleSession;
import io.devopsconsole.agent.Runner;
import io.devopsconsole.agent.SessionServiceProcess;
import io.devopsconsole.agent.SshHostResource;
import io.devopsconsole.testkit.codex.OpenSshServer;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * The real tier, end to end: an operator's message posted to session-service (its own process)
 * reaches this runner, which drives the real {@code codex app-server} 0.169.0 over Debian OpenSSH on
 * loopback against the scripted Responses-API model server; what codex does comes back through
 * Kafka and session-service to an SSE client; approvals are decided and turns interrupted through
 * the session API. Commands have real effects in the working directory, so approvals are judged by
 * what exists on disk afterwards. Every test checks the SSE ids are gap-free and no entry repeats.
 */
@QuarkusTest
class RealCodexTest {

    OpenSshServer host;
    UUID target;
    Path work;
    ConsoleSession session;

    @BeforeEach
    void realHost(TestInfo test) throws Exception {
        host = SshHostResource.openssh();
        target = SshHostResource.realTarget("real");
        work = SshHostResource.realWork()
                .resolve(test.getTestMethod().orElseThrow().getName());
    }

    void open(String approvalPolicy) throws Exception {
        UUID project = Runner.project(target, work.toString(), SshHostResource.realOptions(approvalPolicy));
        session = new ConsoleSession(SessionServiceProcess.shared(), project);
    }

    @AfterEach
    void close() throws Exception {
        if (session != null) {
            session.assertWellFormed();
            session.close();
        }
    }

    static String text(List<JsonNode> events, String kind, String field) {
        return events.stream()
                .filter(e -> e.path("kind").asText().equals(kind))
                .map(e -> e.path("body").path(field).asText())
                .collect(Collectors.joining());
    }

    @Test
    void aTextTurnStreamsTheModelsDeltas() throws Exception {
        open("on-request");
        session.say("Say hello");
        session.await("turn_completed");
        List<JsonNode> events = session.events();
        assertThat(text(events, "agent_message_delta", "delta")).isEqualTo("Hello from the scripted model! 2+2=4.");
        assertThat(events)
                .anyMatch(e -> e.path("kind").asText().equals("item_completed")
                        && e.path("body").path("text").asText().equals("Hello from the scripted model! 2+2=4."));
        assertThat(events)
                .anyMatch(e -> e.path("kind").asText().equals("token_usage")
                        && e.path("body").path("total_tokens").asLong() > 0);
        assertThat(session.kinds())
                .containsSubsequence(
                        "operator_message",
                        "worker_state",
                        "worker_state",
                        "turn_started",
                        "agent_message_delta",
                        "turn_completed");
        assertThat(Files.isDirectory(work))
                .as("the launch prepared the working directory")
                .isTrue();
    }

    @Test
    void anApprovedCommandRunsOnTheHostAndItsOutputIsRelayed() throws Exception {
        open("on-request");
        session.say("RUN_ESCALATED: echo out-line-1; touch created-by-codex.txt");
        JsonNode asked = session.await("approval_requested");
        assertThat(asked.path("body").path("command").asText()).contains("touch created-by-codex.txt");
        assertThat(Files.exists(work.resolve("created-by-codex.txt")))
                .as("nothing ran before the decision")
                .isFalse();
        session.decide("approved");
        session.await("turn_completed");
        List<JsonNode> events = session.events();
        JsonNode command = events.stream()
                .filter(e -> e.path("kind").asText().equals("item_completed")
                        && e.path("body").path("item_type").asText().equals("command_execution"))
                .findFirst()
                .orElseThrow();
        assertThat(command.path("body").path("exit_code").asInt()).isZero();
        assertThat(command.path("body").path("output").asText()).contains("out-line-1");
        assertThat(text(events, "command_output_delta", "delta")).contains("out-line-1");
        assertThat(Files.exists(work.resolve("created-by-codex.txt"))).isTrue();
    }

    @Test
    void aDeclinedCommandNeverRuns() throws Exception {
        open("on-request");
        session.say("RUN_ESCALATED: touch should-not-exist.txt");
        session.await("approval_requested");
        session.decide("denied");
        session.await("turn_completed");
        assertThat(session.events())
                .anyMatch(e -> e.path("kind").asText().equals("item_completed")
                        && e.path("body").path("status").asText().equals("declined"));
        assertThat(Files.exists(work.resolve("should-not-exist.txt"))).isFalse();
    }

    @Test
    void anApprovedFileChangeIsWrittenWithItsDiffShownFirst() throws Exception {
        // under on-request codex applies patches inside the workspace without asking; "untrusted" asks
        // (and is only accepted in thread/start, which is where the runner passes it)
        open("untrusted");
        session.say("APPLY_PATCH please");
        JsonNode asked = session.await("approval_requested");
        assertThat(asked.path("body").path("approval_kind").asText()).isEqualTo("file_change");
        assertThat(session.await("file_change").path("body").path("diff").asText())
                .contains("hello from apply_patch");
        assertThat(Files.exists(work.resolve("hello.txt"))).isFalse();
        session.decide("approved");
        session.await("turn_completed");
        assertThat(Files.readString(work.resolve("hello.txt"))).contains("hello from apply_patch");
    }

    @Test
    void anInterruptEndsARunningTurn() throws Exception {
        open("on-request");
        session.say("STALL please");
        session.await("agent_message_delta");
        session.interrupt();
        session.await("turn_interrupted");
        List<JsonNode> events = session.events();
        String item = events.stream()
                .filter(e -> e.path("kind").asText().equals("item_started")
                        && e.path("body").path("item_type").asText().equals("agent_message"))
                .findFirst()
                .orElseThrow()
                .path("item_id")
                .asText();
        assertThat(events)
                .anyMatch(e -> e.path("kind").asText().equals("item_completed")
                        && e.path("item_id").asText().equals(item));
    }

    @Test
    void aModelHttp500FailsTheTurnWithTheReason() throws Exception {
        open("on-request");
        session.say("FAIL500 please");
        JsonNode failed = session.await("turn_failed");
        assertThat(session.await("error").path("body").path("codex_error").asText())
                .isEqualTo("internalServerError");
        assertThat(failed.path("body").path("message").asText()).isNotBlank();
    }

    @Test
    void aStreamFailureMidResponseFailsTheTurn() throws Exception {
        open("on-request");
        session.say("FAILSTREAM please");
        assertThat(session.await("turn_failed").path("body").path("message").asText())
                .contains("stream disconnected");
    }
}
