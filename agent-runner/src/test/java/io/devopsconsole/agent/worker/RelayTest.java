package io.devopsconsole.agent.worker;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import com.fasterxml.jackson.databind.JsonNode;
import io.devopsconsole.agent.Runner;
import io.devopsconsole.agent.SshHostResource;
import io.devopsconsole.events.EventJson;
import io.devopsconsole.events.Topics;
import io.devopsconsole.events.agent.AgentStreamRecord;
import io.devopsconsole.events.agent.ApprovalDecided;
import io.devopsconsole.events.agent.InterruptRequested;
import io.devopsconsole.events.agent.StreamKind;
import io.devopsconsole.events.agent.TurnRequested;
import io.devopsconsole.events.registry.RuntimeProfileState.CodexOptions;
import io.devopsconsole.testkit.KafkaTopics;
import io.devopsconsole.testkit.Sql;
import io.devopsconsole.testkit.TestInfrastructure;
import io.devopsconsole.testkit.Tokens;
import io.devopsconsole.testkit.codex.TestSshServer;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The relay end to end on the fast tier: commands in on Kafka, SSH (MINA) to a host running the
 * scripted app-server (replaying the real binary's transcripts), stream records out on Kafka.
 */
@QuarkusTest
class RelayTest {

    static final CodexOptions OPTIONS =
            new CodexOptions("mock-model", "mock", "http://127.0.0.1:18999/v1", "on-request", "workspace-write");

    TestSshServer host;
    UUID target;

    @BeforeEach
    void host() {
        host = SshHostResource.server();
        target = Runner.target(
                "lab-" + UUID.randomUUID().toString().substring(0, 6), host.port(), host.hostKeyLine(), "ready");
    }

    UUID session(UUID project) {
        return UUID.randomUUID();
    }

    static TurnRequested turn(UUID session, UUID project, String text) {
        return new TurnRequested(session, project, UUID.randomUUID(), 1, text, "olga");
    }

    static void assertWellFormed(List<AgentStreamRecord> records) {
        for (int i = 0; i < records.size(); i++) {
            assertThat(records.get(i).streamSeq())
                    .as("stream_seq is gap-free from 1")
                    .isEqualTo(i + 1);
        }
        Set<UUID> ids = new HashSet<>();
        records.forEach(r ->
                assertThat(ids.add(r.recordId())).as("record ids are unique").isTrue());
    }

    @jakarta.inject.Inject
    Drivers drivers;

    @Test
    void aSessionWithNothingLeftIsLetGoAndItsNextTurnTakesItOverAgainWithoutAGap() {
        UUID project = Runner.project(target, "/srv/projects/retired", OPTIONS);
        UUID session = UUID.randomUUID();
        Runner.send(turn(session, project, "Say hello"));
        Runner.awaitRecord(session, StreamKind.TURN_COMPLETED);
        assertThat(drivers.sessions()).contains(session);

        // stopped: no worker, turn or message left, so its driver (thread, tick, numbering) goes after the idle
        // time (2 s in tests) instead of living as long as the runner
        Runner.send(new io.devopsconsole.events.agent.StopWorker(session, "olga", "done for today"));
        await().atMost(Duration.ofSeconds(30)).until(() -> !drivers.sessions().contains(session));

        // a command for it afterwards starts a new driver, which takes the session over: numbering goes on
        Runner.send(turn(session, project, "Say hello"));
        Runner.awaitRecord(session, StreamKind.TURN_COMPLETED, 2);
        List<AgentStreamRecord> records = Runner.stream(session);
        assertWellFormed(records);
        assertThat(records.get(records.size() - 1).fence())
                .as("the new driver holds a higher fence")
                .isGreaterThan(records.get(0).fence());
    }

    @Test
    void aTextTurnStreamsDeltasAndTheFinalMessageOverTheFixedLaunchCommand() {
        UUID project = Runner.project(target, "/srv/projects/payments-api", OPTIONS);
        UUID session = UUID.randomUUID();
        int before = host.commands().size();
        Map<String, Double> startsBefore = turnStarts();
        Runner.send(turn(session, project, "Say hello"));

        Runner.awaitRecord(session, StreamKind.TURN_COMPLETED);
        // the turn's start is timed step by step: worker ready, turn/start answered, recorded as started, and
        // turn/start sent → the app-server's first agent-message delta
        Map<String, Double> startsAfter = turnStarts();
        assertThat(startsAfter.keySet()).containsExactlyInAnyOrder("worker", "rpc", "commit", "first_delta");
        startsAfter.forEach((step, count) -> assertThat(count - startsBefore.getOrDefault(step, 0.0))
                .as(step)
                .isGreaterThanOrEqualTo(1.0));
        List<AgentStreamRecord> records = Runner.stream(session);
        assertWellFormed(records);
        assertThat(records.stream().map(AgentStreamRecord::kind).toList())
                .containsExactly(
                        StreamKind.WORKER_STATE,
                        StreamKind.WORKER_STATE,
                        StreamKind.TURN_STARTED,
                        StreamKind.ITEM_STARTED,
                        StreamKind.AGENT_MESSAGE_DELTA,
                        StreamKind.AGENT_MESSAGE_DELTA,
                        StreamKind.AGENT_MESSAGE_DELTA,
                        StreamKind.AGENT_MESSAGE_DELTA,
                        StreamKind.AGENT_MESSAGE_DELTA,
                        StreamKind.ITEM_COMPLETED,
                        StreamKind.TOKEN_USAGE,
                        StreamKind.TURN_COMPLETED);
        String deltas = records.stream()
                .filter(r -> r.kind() == StreamKind.AGENT_MESSAGE_DELTA)
                .map(r -> r.payload().path("delta").asText())
                .collect(Collectors.joining());
        AgentStreamRecord completed = records.stream()
                .filter(r -> r.kind() == StreamKind.ITEM_COMPLETED)
                .findFirst()
                .orElseThrow();
        assertThat(completed.payload().path("text").asText())
                .isEqualTo(deltas)
                .isEqualTo("Hello from the scripted model! 2+2=4.");
        assertThat(records.get(1).payload().path("state").asText()).isEqualTo("ready");
        assertThat(records).allSatisfy(r -> assertThat(r.targetId()).isEqualTo(target));
        assertThat(records.get(2).turnId())
                .isNotBlank()
                .isEqualTo(records.get(records.size() - 1).turnId());

        // two commands ran on the host: the durable launch (this test host's codex has no durable mode: exit 127),
        // then the fixed stdio launch, both with the profile's options quoted
        List<String> commands = host.commands().subList(before, host.commands().size());
        assertThat(commands).hasSize(2);
        assertThat(commands.get(0))
                .startsWith("mkdir -p -- '/srv/projects/payments-api' && cd -- '/srv/projects/payments-api'"
                        + " && umask 077 && d=")
                .contains("nohup setsid 'codex' app-server --listen \"unix://$k.sock\" '-c' 'model=\"mock-model\"'")
                .contains("'-c' 'sandbox_mode=\"workspace-write\"' </dev/null")
                .endsWith(" && exec 'codex' app-server proxy --sock \"$k.sock\"");
        assertThat(commands.subList(1, 2))
                .containsExactly("mkdir -p -- '/srv/projects/payments-api' && cd -- '/srv/projects/payments-api'"
                        + " && exec 'codex' 'app-server' '--listen' 'stdio://' '-c' 'model=\"mock-model\"' '-c' 'model_provider=\"mock\"'"
                        + " '-c' 'model_providers.mock.name=\"mock\"' '-c' 'model_providers.mock.base_url=\"http://127.0.0.1:18999/v1\"'"
                        + " '-c' 'model_providers.mock.wire_api=\"responses\"' '-c' 'approval_policy=\"on-request\"'"
                        + " '-c' 'sandbox_mode=\"workspace-write\"'");

        // the worker is recorded and shown; turn lifecycle went to console.agent.v1 through the outbox
        String worker = given().auth()
                .oauth2(Tokens.viewer())
                .queryParam("session_id", session.toString())
                .get("/api/workers")
                .then()
                .statusCode(200)
                .body("items.size()", equalTo(1))
                .body("items[0].state", equalTo("ready"))
                .body("items[0].working_directory", equalTo("/srv/projects/payments-api"))
                .body("items[0].transport", equalTo("stdio"))
                .extract()
                .path("items[0].id");
        given().auth()
                .oauth2(Tokens.viewer())
                .get("/api/workers/" + worker)
                .then()
                .statusCode(200)
                .body(
                        "thread_id",
                        equalTo(records.get(1).payload().path("thread_id").asText()))
                .body("target_id", equalTo(target.toString()));
        await().atMost(Duration.ofSeconds(20))
                .until(() -> lifecycle(session)
                        .containsAll(List.of(
                                "io.devopsconsole.agent.worker.state_changed.v1",
                                "io.devopsconsole.agent.turn.started.v1",
                                "io.devopsconsole.agent.turn.ended.v1")));
    }

    @Test
    void aCommandApprovalIsRequestedAnsweredAndTheCommandResultRelayed() {
        UUID project = Runner.project(target, "/srv/projects/approvals", OPTIONS);
        UUID session = UUID.randomUUID();
        Runner.send(turn(session, project, "RUN_ESCALATED: echo out-line-1"));
        AgentStreamRecord asked = Runner.awaitRecord(session, StreamKind.APPROVAL_REQUESTED);
        String requestId = asked.payload().path("request_id").asText();
        assertThat(asked.payload().path("approval_kind").asText()).isEqualTo("command");
        assertThat(asked.payload().path("command").asText()).contains("echo out-line-1");
        assertThat(requestId).isEqualTo(asked.turnId() + ":" + asked.itemId());
        // nothing runs before the decision
        assertThat(Runner.kinds(session)).doesNotContain(StreamKind.COMMAND_OUTPUT_DELTA);

        Runner.send(new ApprovalDecided(session, UUID.randomUUID(), requestId, "approved", "olga"));
        Runner.awaitRecord(session, StreamKind.TURN_COMPLETED);
        List<AgentStreamRecord> records = Runner.stream(session);
        assertWellFormed(records);
        AgentStreamRecord resolved = Runner.awaitRecord(session, StreamKind.APPROVAL_RESOLVED);
        assertThat(resolved.payload().path("decision").asText()).isEqualTo("approved");
        AgentStreamRecord command = records.stream()
                .filter(r -> r.kind() == StreamKind.ITEM_COMPLETED
                        && r.payload().path("item_type").asText().equals("command_execution"))
                .findFirst()
                .orElseThrow();
        assertThat(command.payload().path("exit_code").asInt()).isZero();
        assertThat(command.payload().path("output").asText()).contains("out-line-1");
        assertThat(command.payload().path("approval_request_id").asText()).isEqualTo(requestId);
        assertThat(records.stream()
                        .filter(r -> r.kind() == StreamKind.COMMAND_OUTPUT_DELTA)
                        .count())
                .isEqualTo(3);
        await().atMost(Duration.ofSeconds(20))
                .until(() -> lifecycle(session).contains("io.devopsconsole.agent.command.executed.v1"));
    }

    @Test
    void aDeclinedCommandDoesNotRunAndTheTurnStillCompletes() {
        UUID project = Runner.project(target, "/srv/projects/declines", OPTIONS);
        UUID session = UUID.randomUUID();
        Runner.send(turn(session, project, "RUN_ESCALATED: touch should-not-exist.txt"));
        AgentStreamRecord asked = Runner.awaitRecord(session, StreamKind.APPROVAL_REQUESTED);
        Runner.send(new ApprovalDecided(
                session, UUID.randomUUID(), asked.payload().path("request_id").asText(), "denied", "olga"));
        Runner.awaitRecord(session, StreamKind.TURN_COMPLETED);
        List<AgentStreamRecord> records = Runner.stream(session);
        assertWellFormed(records);
        assertThat(records).noneMatch(r -> r.kind() == StreamKind.COMMAND_OUTPUT_DELTA);
        assertThat(records)
                .anyMatch(r -> r.kind() == StreamKind.ITEM_COMPLETED
                        && r.payload().path("status").asText().equals("declined"));
        assertThat(Runner.awaitRecord(session, StreamKind.APPROVAL_RESOLVED)
                        .payload()
                        .path("decision")
                        .asText())
                .isEqualTo("denied");
    }

    @Test
    void aFileChangeShowsItsDiffBeforeApprovalAndCompletesAfterIt() {
        UUID project = Runner.project(target, "/srv/projects/patches", OPTIONS);
        UUID session = UUID.randomUUID();
        Runner.send(turn(session, project, "APPLY_PATCH please"));
        AgentStreamRecord asked = Runner.awaitRecord(session, StreamKind.APPROVAL_REQUESTED);
        assertThat(asked.payload().path("approval_kind").asText()).isEqualTo("file_change");
        AgentStreamRecord change = Runner.awaitRecord(session, StreamKind.FILE_CHANGE);
        assertThat(change.payload().path("path").asText()).endsWith("hello.txt");
        assertThat(change.payload().path("kind").asText()).isEqualTo("add");
        assertThat(change.payload().path("diff").asText()).contains("hello from apply_patch");
        assertThat(asked.payload().path("changes").get(0).path("diff").asText()).contains("hello from apply_patch");
        Runner.send(new ApprovalDecided(
                session, UUID.randomUUID(), asked.payload().path("request_id").asText(), "approved", "olga"));
        Runner.awaitRecord(session, StreamKind.TURN_COMPLETED);
        assertWellFormed(Runner.stream(session));
        assertThat(Runner.stream(session))
                .anyMatch(r -> r.kind() == StreamKind.ITEM_COMPLETED
                        && r.payload().path("item_type").asText().equals("file_change")
                        && r.payload().path("status").asText().equals("completed"));
    }

    @Test
    void anInterruptEndsTheTurnAndClosesTheItemThatWasStreaming() {
        UUID project = Runner.project(target, "/srv/projects/interrupts", OPTIONS);
        UUID session = UUID.randomUUID();
        Runner.send(turn(session, project, "STALL please"));
        Runner.awaitRecord(session, StreamKind.ITEM_STARTED);
        Runner.send(new InterruptRequested(session, "olga"));
        Runner.awaitRecord(session, StreamKind.TURN_INTERRUPTED);
        List<AgentStreamRecord> records = Runner.stream(session);
        assertWellFormed(records);
        AgentStreamRecord started = records.stream()
                .filter(r -> r.kind() == StreamKind.ITEM_STARTED)
                .findFirst()
                .orElseThrow();
        assertThat(records)
                .anyMatch(r -> r.kind() == StreamKind.ITEM_COMPLETED
                        && r.itemId().equals(started.itemId())
                        && r.payload().path("status").asText().equals("interrupted"));
        // the session goes on: the next turn runs on the same worker
        Runner.send(turn(session, project, "Say hello again"));
        Runner.awaitRecord(session, StreamKind.TURN_COMPLETED);
        assertThat(Sql.count("SELECT count(*) FROM agent.worker WHERE session_id = ?", session))
                .isEqualTo(1);
    }

    @Test
    void aSilentWorkerTimesOutInsteadOfHanging() {
        UUID project = Runner.project(target, "/srv/projects/silence", OPTIONS);
        UUID session = UUID.randomUUID();
        Runner.send(turn(session, project, "STALL and say nothing"));
        AgentStreamRecord timedOut = Runner.awaitRecord(session, StreamKind.TURN_TIMED_OUT);
        assertThat(timedOut.payload().path("message").asText()).contains("no activity from the app-server for 3 s");
        // the app-server's own end of the interrupted turn is not reported a second time
        Runner.send(turn(session, project, "Say hello"));
        Runner.awaitRecord(session, StreamKind.TURN_COMPLETED);
        List<AgentStreamRecord> records = Runner.stream(session);
        assertWellFormed(records);
        assertThat(records).noneMatch(r -> r.kind() == StreamKind.TURN_INTERRUPTED);
        assertThat(records.stream().filter(r -> r.kind().endsTurn()).count()).isEqualTo(2);
    }

    @Test
    void aModelFailureIsReportedAsAnErrorAndAFailedTurn() {
        UUID project = Runner.project(target, "/srv/projects/failures", OPTIONS);
        UUID session = UUID.randomUUID();
        Runner.send(turn(session, project, "FAIL500 please"));
        AgentStreamRecord failed = Runner.awaitRecord(session, StreamKind.TURN_FAILED);
        AgentStreamRecord error = Runner.awaitRecord(session, StreamKind.ERROR);
        assertThat(error.payload().path("message").asText()).contains("high demand");
        assertThat(error.payload().path("codex_error").asText()).isEqualTo("internalServerError");
        assertThat(failed.payload().path("message").asText()).contains("high demand");
        assertWellFormed(Runner.stream(session));
    }

    @Test
    void aDroppedConnectionFailsTheTurnMarksTheWorkerLostAndTheNextTurnResumesTheThread() {
        UUID project = Runner.project(target, "/srv/projects/drops", OPTIONS);
        UUID session = UUID.randomUUID();
        Runner.send(turn(session, project, "STALL while the network goes"));
        Runner.awaitRecord(session, StreamKind.ITEM_STARTED);
        String thread =
                Runner.stream(session).get(1).payload().path("thread_id").asText();
        host.dropConnections();
        AgentStreamRecord failed = Runner.awaitRecord(session, StreamKind.TURN_FAILED);
        assertThat(failed.payload().path("message").asText())
                .contains("connection to the worker")
                .contains("was lost");
        await().atMost(Duration.ofSeconds(10))
                .until(() ->
                        Sql.count("SELECT count(*) FROM agent.worker WHERE session_id = ? AND state = 'lost'", session)
                                == 1);
        assertThat(Runner.stream(session))
                .anyMatch(r -> r.kind() == StreamKind.WORKER_STATE
                        && r.payload().path("state").asText().equals("lost"));

        Runner.send(turn(session, project, "Say hello after the drop"));
        Runner.awaitRecord(session, StreamKind.TURN_COMPLETED);
        assertWellFormed(Runner.stream(session));
        AgentStreamRecord ready = Runner.awaitRecord(session, StreamKind.WORKER_STATE, 4);
        assertThat(Runner.stream(session).stream()
                        .filter(r -> r.kind() == StreamKind.WORKER_STATE)
                        .map(r -> r.payload().path("state").asText())
                        .toList())
                .containsExactly("starting", "ready", "lost", "starting", "ready");
        assertThat(Runner.stream(session).stream()
                        .filter(r -> r.kind() == StreamKind.WORKER_STATE
                                && r.payload().path("state").asText().equals("ready"))
                        .map(r -> r.payload().path("thread_id").asText()))
                .containsOnly(thread);
        assertThat(ready).isNotNull();
    }

    @Test
    void aChangedHostKeyIsRefusedAndSaysSoAndATargetNotReadyIsRefusedBeforeAnySsh() throws Exception {
        // not ready: codex missing on the host
        UUID notReady = Runner.target(
                "lab-missing-" + UUID.randomUUID().toString().substring(0, 4),
                host.port(),
                host.hostKeyLine(),
                "missing");
        UUID projectA = Runner.project(notReady, "/srv/projects/not-ready", OPTIONS);
        UUID sessionA = UUID.randomUUID();
        int before = host.commands().size();
        int sessionsBefore = host.openSessions();
        Runner.send(turn(sessionA, projectA, "Say hello"));
        AgentStreamRecord refused = Runner.awaitRecord(sessionA, StreamKind.TURN_FAILED);
        assertThat(refused.payload().path("message").asText())
                .contains("not ready for Codex")
                .contains("no connection was attempted");
        assertThat(host.commands()).hasSize(before);
        assertThat(host.openSessions()).isEqualTo(sessionsBefore);

        // a host key other than the trusted one: refused, reported with the presented fingerprint, never re-trusted
        UUID projectB = Runner.project(target, "/srv/projects/changed-key", OPTIONS);
        UUID sessionB = UUID.randomUUID();
        host.rotateHostKey();
        try {
            Runner.send(turn(sessionB, projectB, "Say hello"));
            AgentStreamRecord error = Runner.awaitRecord(sessionB, StreamKind.ERROR);
            assertThat(error.payload().path("message").asText())
                    .contains("presented host key SHA256:")
                    .contains("is trusted: refused");
            Runner.awaitRecord(sessionB, StreamKind.TURN_FAILED);
            assertThat(host.commands()).hasSize(before);
            assertThat(Sql.count(
                            "SELECT count(*) FROM agent.worker WHERE session_id = ? AND state = 'failed'", sessionB))
                    .isEqualTo(1);
            // still refused on the next try: nothing was learned
            Runner.send(turn(sessionB, projectB, "Say hello again"));
            Runner.awaitRecord(sessionB, StreamKind.TURN_FAILED, 2);
            assertThat(host.commands()).hasSize(before);
        } finally {
            // later tests register the host afresh with whatever key it presents
            host.rotateHostKey();
        }
    }

    @Test
    void hostileCodexOptionsThatBypassedTheRegistryStopTheLaunch() {
        // an event the registry would never write (its API and table checks refuse these), as if forged or replayed
        UUID project = Runner.project(
                target,
                "/srv/projects/hostile",
                new CodexOptions("m\"; touch /tmp/pwned; \"", "mock", null, "on-request", "workspace-write"));
        UUID session = UUID.randomUUID();
        int before = host.commands().size();
        Runner.send(turn(session, project, "Say hello"));
        AgentStreamRecord failed = Runner.awaitRecord(session, StreamKind.TURN_FAILED);
        assertThat(failed.payload().path("message").asText())
                .contains("launch was refused")
                .contains("model");
        assertThat(host.commands()).hasSize(before);
    }

    @Test
    void workersCanBeListedReadAndStoppedByAnOperator() {
        UUID project = Runner.project(target, "/srv/projects/stops", OPTIONS);
        UUID session = UUID.randomUUID();
        Runner.send(turn(session, project, "Say hello"));
        Runner.awaitRecord(session, StreamKind.TURN_COMPLETED);
        String worker = given().auth()
                .oauth2(Tokens.viewer())
                .queryParam("session_id", session.toString())
                .get("/api/workers")
                .then()
                .statusCode(200)
                .extract()
                .path("items[0].id");
        given().auth()
                .oauth2(Tokens.viewer())
                .post("/api/workers/" + worker + "/stop")
                .then()
                .statusCode(403);
        given().auth()
                .oauth2(Tokens.operator())
                .post("/api/workers/" + worker + "/stop")
                .then()
                .statusCode(202);
        await().atMost(Duration.ofSeconds(10))
                .until(() ->
                        Sql.count("SELECT count(*) FROM agent.worker WHERE id = ?::uuid AND state = 'stopped'", worker)
                                == 1);
        given().auth()
                .oauth2(Tokens.operator())
                .post("/api/workers/" + worker + "/stop")
                .then()
                .statusCode(409)
                .body("detail", org.hamcrest.Matchers.containsString("already ended"));

        // with several replicas the front door sends a stop to any of them: one that does not drive the worker
        // records it for the runner that does (here: a live row another instance owns) ...
        Sql.exec(
                "UPDATE agent.worker SET state = 'ready', runner_instance = 'agent-runner-elsewhere' WHERE id = ?::uuid",
                worker);
        given().auth()
                .oauth2(Tokens.approver())
                .post("/api/workers/" + worker + "/stop")
                .then()
                .statusCode(202);
        assertThat(Sql.rows("SELECT stop_requested_by FROM agent.worker WHERE id = ?::uuid", worker))
                .singleElement()
                .satisfies(r -> assertThat(r).containsEntry("stop_requested_by", "abe-approver"));
        Sql.exec(
                "UPDATE agent.worker SET state = 'stopped', stop_requested_by = NULL, stop_requested_at = NULL"
                        + " WHERE id = ?::uuid",
                worker);
        // ... and the runner that drives a worker carries out a stop another replica recorded, within a tick
        UUID second = UUID.randomUUID();
        Runner.send(turn(second, project, "Say hello again"));
        Runner.awaitRecord(second, StreamKind.TURN_COMPLETED);
        String live = given().auth()
                .oauth2(Tokens.viewer())
                .queryParam("session_id", second.toString())
                .get("/api/workers")
                .then()
                .statusCode(200)
                .extract()
                .path("items[0].id");
        Sql.exec(
                "UPDATE agent.worker SET stop_requested_by = 'olga-operator', stop_requested_at = now() WHERE id = ?::uuid",
                live);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> Sql.count(
                                "SELECT count(*) FROM agent.worker WHERE id = ?::uuid AND state = 'stopped'"
                                        + " AND stop_requested_at IS NULL",
                                live)
                        == 1);
        given().auth()
                .oauth2(Tokens.viewer())
                .get("/api/workers/" + UUID.randomUUID())
                .then()
                .statusCode(404);
        given().auth()
                .oauth2(Tokens.viewer())
                .queryParam("state", "sleeping")
                .get("/api/workers")
                .then()
                .statusCode(400)
                .body("errors.field", hasItem("state"));
        given().auth()
                .oauth2(Tokens.viewer())
                .queryParam("state", "stopped")
                .get("/api/workers")
                .then()
                .statusCode(200)
                .body("items.id", hasItem(worker));
        assertThat(Runner.stream(session))
                .anyMatch(r -> r.kind() == StreamKind.WORKER_STATE
                        && r.payload().path("state").asText().equals("stopped"));
    }

    static List<String> lifecycle(UUID session) {
        return KafkaTopics.readAll(TestInfrastructure.kafka().bootstrapServers(), Topics.AGENT).stream()
                .filter(r -> r.key().equals(session.toString()))
                .map(r -> new String(r.headers().lastHeader("ce_type").value(), StandardCharsets.UTF_8))
                .toList();
    }

    static JsonNode json(String s) throws Exception {
        return EventJson.mapper().readTree(s);
    }

    @Test
    void aSessionRunsWorkersOnSeveralBoundTargetsAndEachRecordNamesItsTarget() {
        UUID second = Runner.target(
                "lab-b-" + UUID.randomUUID().toString().substring(0, 6), host.port(), host.hostKeyLine(), "ready");
        UUID unbound = Runner.target(
                "lab-c-" + UUID.randomUUID().toString().substring(0, 6), host.port(), host.hostKeyLine(), "ready");
        UUID project =
                Runner.project(List.of(target, second), List.of("/srv/projects/api", "/srv/projects/web"), OPTIONS);
        UUID session = UUID.randomUUID();
        Runner.send(turn(session, project, "Say hello"));
        Runner.awaitRecord(session, StreamKind.TURN_COMPLETED, 1);
        Runner.send(new TurnRequested(session, project, UUID.randomUUID(), 2, "Say hello over there", "olga", second));
        Runner.awaitRecord(session, StreamKind.TURN_COMPLETED, 2);
        Runner.send(new TurnRequested(
                session, project, UUID.randomUUID(), 3, "and on a host it is not bound to", "olga", unbound));
        AgentStreamRecord refused = Runner.awaitRecord(session, StreamKind.TURN_FAILED, 1);
        assertThat(refused.payload().path("message").asText()).contains("is not bound to the runtime profile");

        List<AgentStreamRecord> records = Runner.stream(session);
        assertWellFormed(records);
        List<AgentStreamRecord> turns = records.stream()
                .filter(r -> r.kind() == StreamKind.TURN_COMPLETED)
                .toList();
        assertThat(turns.get(0).targetId()).isEqualTo(target);
        assertThat(turns.get(1).targetId()).isEqualTo(second);
        // each turn's records carry the target that ran it
        for (AgentStreamRecord end : turns) {
            assertThat(records.stream().filter(r -> end.turnId().equals(r.turnId())))
                    .allSatisfy(r -> assertThat(r.targetId()).isEqualTo(end.targetId()));
        }
        // two workers, one per target, each with its own thread
        List<Map<String, Object>> workers = Sql.rows(
                "SELECT target_id, working_directory, thread_id, state FROM agent.worker"
                        + " WHERE session_id = ? ORDER BY started_at",
                session);
        assertThat(workers).hasSize(2);
        assertThat(workers.get(0))
                .containsEntry("target_id", target)
                .containsEntry("working_directory", "/srv/projects/api");
        assertThat(workers.get(1))
                .containsEntry("target_id", second)
                .containsEntry("working_directory", "/srv/projects/web");
        assertThat(workers.get(0).get("thread_id")).isNotEqualTo(workers.get(1).get("thread_id"));
        assertThat(workers).allSatisfy(w -> assertThat(w.get("state")).isEqualTo("ready"));
    }

    /** How many turn starts the runner has timed, by step ({@code devops.relay.turn_start}). */
    private static Map<String, Double> turnStarts() {
        String metrics =
                given().get("/q/metrics").then().statusCode(200).extract().asString();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(
                        "(?m)^devops_relay_turn_start_seconds_count\\{[^}]*step=\"([a-z_]+)\"[^}]*} ([0-9.eE+]+)$")
                .matcher(metrics);
        Map<String, Double> counts = new java.util.HashMap<>();
        while (m.find()) {
            counts.put(m.group(1), Double.parseDouble(m.group(2)));
        }
        return counts;
    }
}
