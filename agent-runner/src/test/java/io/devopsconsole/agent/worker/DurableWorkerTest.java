package io.devopsconsole.agent.worker;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.devopsconsole.agent.ConsoleSession;
import io.devopsconsole.agent.Runner;
import io.devopsconsole.agent.SessionServiceProcess;
import io.devopsconsole.agent.SshHostResource;
import io.devopsconsole.events.CloudEventCodec;
import io.devopsconsole.events.EventEnvelope;
import io.devopsconsole.events.EventJson;
import io.devopsconsole.events.Topics;
import io.devopsconsole.events.agent.AgentStreamRecord;
import io.devopsconsole.events.agent.StreamKind;
import io.devopsconsole.testkit.Sql;
import io.devopsconsole.testkit.TestInfrastructure;
import io.devopsconsole.testkit.Tokens;
import io.devopsconsole.testkit.codex.OpenSshServer;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * Durable workers on the real tier (Debian OpenSSH on loopback, the real codex 0.169.0 as a
 * long-lived {@code app-server --listen unix://…} per working directory, reached through
 * {@code app-server proxy}), end to end through session-service and its SSE stream: the SSH
 * connection dropped mid-command and mid-approval, and a stale owner fenced off. Every test ends
 * with the stream checked for gaps, repeats and order ({@link ConsoleSession#assertWellFormed}).
 */
@QuarkusTest
class DurableWorkerTest {

    OpenSshServer host;
    UUID target;
    Path work;
    ConsoleSession session;

    @BeforeEach
    void realHost(TestInfo test) throws Exception {
        host = SshHostResource.openssh();
        target = SshHostResource.realTarget("durable");
        work = SshHostResource.realWork()
                .resolve(test.getTestMethod().orElseThrow().getName());
        UUID project = Runner.project(target, work.toString(), SshHostResource.realOptions("on-request"));
        session = new ConsoleSession(SessionServiceProcess.shared(), project);
    }

    @AfterEach
    void close() throws Exception {
        if (session != null) {
            session.assertWellFormed();
            session.close();
        }
    }

    String workerState() {
        return Sql.rows("SELECT state FROM agent.worker WHERE session_id = ? ORDER BY started_at DESC", session.id())
                .get(0)
                .get("state")
                .toString();
    }

    @Test
    void aConnectionDroppedMidCommandIsReattachedTheCommandFinishesOnTheHostAndTheStreamContinues() throws Exception {
        session.say("Say hello first");
        session.await("turn_completed");
        assertThat(Sql.rows("SELECT transport, server_key FROM agent.worker WHERE session_id = ?", session.id())
                        .get(0))
                .containsEntry("transport", "durable");

        session.say("RUN_EXEC: for i in 1 2 3 4 5 6; do echo tick $i; sleep 0.25; done; touch finished.txt");
        session.await("command_output_delta");
        assertThat(host.dropConnections())
                .as("the runner's SSH connection is cut mid-command")
                .isPositive();

        await().atMost(Duration.ofSeconds(30)).until(() -> countState("reattached") >= 1);
        JsonNode done = session.await("turn_completed", 2);
        assertThat(Files.exists(work.resolve("finished.txt")))
                .as("the command finished on the host")
                .isTrue();
        List<JsonNode> events = session.events();
        JsonNode command = events.stream()
                .filter(e -> e.path("kind").asText().equals("item_completed")
                        && e.path("body").path("item_type").asText().equals("command_execution"))
                .findFirst()
                .orElseThrow();
        assertThat(command.path("body").path("exit_code").asInt()).isZero();
        assertThat(command.path("body").path("output").asText()).contains("tick 1", "tick 6");
        assertThat(events)
                .anyMatch(e -> e.path("kind").asText().equals("worker_state")
                        && e.path("body").path("state").asText().equals("detached"));
        assertThat(events).noneMatch(e -> e.path("kind").asText().equals("turn_failed"));
        assertThat(done.path("turn_id").asText())
                .isEqualTo(command.path("turn_id").asText());
        // the worker row is written after the turn's last record is published: a viewer may see turn_completed first
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(workerState()).isEqualTo("ready"));
        assertThat(Sql.count("SELECT count(*) FROM agent.worker WHERE session_id = ?", session.id()))
                .as("the same worker, reattached (not a new one)")
                .isEqualTo(1);

        session.say("Say hello after the drop");
        session.await("turn_completed", 3);

        // what this runner logged for the session (its worker, the cut, the reattach) is in the session's own
        // log for admins, shipped through Kafka and kept by session-service (ADR 0031)
        await().atMost(Duration.ofSeconds(20))
                .untilAsserted(() -> assertThat(
                                given().baseUri(SessionServiceProcess.shared().baseUrl())
                                        .auth()
                                        .oauth2(Tokens.admin())
                                        .get("/api/sessions/" + session.id() + "/console-logs")
                                        .then()
                                        .statusCode(200)
                                        .extract()
                                        .<List<String>>path("items.findAll { it.service == 'agent-runner' }.message"))
                        .anySatisfy(m -> assertThat(m).contains("ready on"))
                        .anySatisfy(m -> assertThat(m).contains("reattached to the worker on")));
    }

    /** The first worker_state record in this state, waited for (polled every 100 ms, so times measured on it are close). */
    JsonNode firstWorkerState(String state, Duration within) {
        return await().atMost(within)
                .pollInterval(Duration.ofMillis(100))
                .until(
                        () -> session.events().stream()
                                .filter(e -> e.path("kind").asText().equals("worker_state")
                                        && e.path("body").path("state").asText().equals(state))
                                .findFirst()
                                .orElse(null),
                        java.util.Objects::nonNull);
    }

    long countState(String state) {
        return session.events().stream()
                .filter(e -> e.path("kind").asText().equals("worker_state")
                        && e.path("body").path("state").asText().equals(state))
                .count();
    }

    @Test
    void aPendingApprovalSurvivesTheReattachAndIsAnsweredOnce() throws Exception {
        session.say("RUN_ESCALATED: touch approved-after-reattach.txt");
        session.await("approval_requested");
        assertThat(host.dropConnections()).isPositive();
        await().atMost(Duration.ofSeconds(30)).until(() -> countState("reattached") >= 1);
        session.decide("approved");
        session.await("turn_completed");
        // the turn may end while the command still runs (codex yields to the model after 2 s; a login
        // shell under load can take that long): it finishes on the host
        await().atMost(Duration.ofSeconds(15)).until(() -> Files.exists(work.resolve("approved-after-reattach.txt")));
        List<JsonNode> events = session.events();
        assertThat(events.stream()
                        .filter(e -> e.path("kind").asText().equals("approval_requested"))
                        .count())
                .as("asked again after the reattach, shown once")
                .isEqualTo(1);
        assertThat(given().baseUri(SessionServiceProcess.shared().baseUrl())
                        .auth()
                        .oauth2(Tokens.viewer())
                        .get("/api/sessions/" + session.id() + "/approvals")
                        .then()
                        .statusCode(200)
                        .extract()
                        .<List<Object>>path("items"))
                .hasSize(1);
        assertThat(Sql.rows(
                        "SELECT decision, answered FROM agent.approval_decision WHERE session_id = ?", session.id()))
                .singleElement()
                .satisfies(r -> {
                    assertThat(r.get("decision")).isEqualTo("approved");
                    assertThat(r.get("answered")).isEqualTo(true);
                });
    }

    @Test
    void anApprovalDecidedWhileDetachedIsAnsweredFromTheRecordedDecision() throws Exception {
        session.say("RUN_ESCALATED: touch decided-while-detached.txt");
        session.await("approval_requested");
        // the decision arrives while the connection is down: it is recorded, and the re-sent request is answered from
        // it
        host.dropConnections();
        session.decide("approved");
        session.await("turn_completed");
        // the turn may end while the command still runs (codex yields to the model after 2 s; a login
        // shell under load can take that long): it finishes on the host
        await().atMost(Duration.ofSeconds(15)).until(() -> Files.exists(work.resolve("decided-while-detached.txt")));
        assertThat(session.events().stream()
                        .filter(e -> e.path("kind").asText().equals("approval_requested"))
                        .count())
                .isEqualTo(1);
    }

    @Test
    void aStaleOwnerIsFencedOffItsRecordsAreDroppedAndItLetsGo() throws Exception {
        session.say("Say hello");
        session.await("turn_completed");
        // a command that keeps printing for a while: the owner keeps publishing records
        session.say("RUN_EXEC: for i in $(seq 1 30); do echo tick $i; sleep 0.25; done");
        session.await("command_output_delta");
        long fence = Sql.count("SELECT fence FROM agent.session_stream WHERE session_id = ?", session.id());
        long reserved =
                Sql.count("SELECT reserved_through FROM agent.session_stream WHERE session_id = ?", session.id());
        double fencedBefore = metric("agent_sessions_fenced_total");

        // another runner takes the session over (as its takeover does): fence up, worker adopted, first record
        // published
        Sql.exec(
                "UPDATE agent.session_stream SET fence = fence + 1, owner = 'other-runner', reserved_through = reserved_through + 100"
                        + " WHERE session_id = ?",
                session.id());
        Sql.exec(
                "UPDATE agent.worker SET fence = ?, runner_instance = 'other-runner' WHERE session_id = ?",
                fence + 1,
                session.id());
        publish(new AgentStreamRecord(
                UUID.randomUUID(),
                session.id(),
                reserved + 1,
                StreamKind.WORKER_STATE,
                null,
                null,
                target,
                OffsetDateTime.now(ZoneOffset.UTC),
                EventJson.mapper()
                        .createObjectNode()
                        .put("state", "reattaching")
                        .put("message", "runner other-runner took the session over"),
                fence + 1));
        await().atMost(Duration.ofSeconds(20)).until(() -> countState("reattaching") == 1);

        // this runner has not noticed yet: its records still go out under the old fence until its heartbeat finds out
        await().atMost(Duration.ofSeconds(20)).until(() -> metric("agent_sessions_fenced_total") > fencedBefore);
        Thread.sleep(1500);
        List<String> kinds = session.kinds();
        int takeover = kinds.lastIndexOf("worker_state");
        assertThat(session.events().get(takeover).path("body").path("state").asText())
                .isEqualTo("reattaching");
        assertThat(kinds.subList(takeover + 1, kinds.size()))
                .as("nothing of the stale owner's after the takeover")
                .isEmpty();
        assertThat(Sql.rows("SELECT runner_instance FROM agent.worker WHERE session_id = ?", session.id())
                        .get(0))
                .as("the stale owner wrote nothing to the worker row")
                .containsEntry("runner_instance", "other-runner");
        assertThat(Sql.count("SELECT stream_fence FROM session.session WHERE id = ?", session.id()))
                .isEqualTo(fence + 1);
        assertThat(Sql.count("SELECT fence FROM agent.session_stream WHERE session_id = ?", session.id()))
                .as("the stale owner did not take the session back")
                .isEqualTo(fence + 1);
        // nobody drives the session any more: stop its app-server
        Sql.exec("UPDATE agent.worker SET state = 'stopped' WHERE session_id = ?", session.id());
        SshHostResource.stopAppServers();
    }

    @Test
    void theHostsAppServersAreListedWithTheirWorkersAndAnOrphanCanBeStopped() throws Exception {
        session.say("Say hello");
        session.await("turn_completed");
        Map<String, Object> worker = Sql.rows(
                        "SELECT id, server_key FROM agent.worker WHERE session_id = ?", session.id())
                .get(0);
        String key = worker.get("server_key").toString();
        String path = "/api/targets/" + target + "/app-servers";
        // asking the host is a POST (operator and above); a viewer reads the stored observation
        given().auth().oauth2(Tokens.viewer()).post(path + "/refresh").then().statusCode(403);
        given().auth()
                .oauth2(Tokens.operator())
                .post(path + "/refresh")
                .then()
                .statusCode(200)
                .body("observed_by", org.hamcrest.Matchers.equalTo("olga-operator"))
                .body("items.server_key", org.hamcrest.Matchers.hasItem(key));
        given().auth()
                .oauth2(Tokens.viewer())
                .get(path)
                .then()
                .statusCode(200)
                .body("observed_at", org.hamcrest.Matchers.notNullValue())
                .body("items.find { it.server_key == '" + key + "' }.alive", org.hamcrest.Matchers.equalTo(true))
                .body("items.find { it.server_key == '" + key + "' }.orphan", org.hamcrest.Matchers.equalTo(false))
                .body(
                        "items.find { it.server_key == '" + key + "' }.worker_id",
                        org.hamcrest.Matchers.equalTo(worker.get("id").toString()))
                .body(
                        "items.find { it.server_key == '" + key + "' }.working_directory",
                        org.hamcrest.Matchers.equalTo(work.toString()));
        given().auth()
                .oauth2(Tokens.operator())
                .post(path + "/" + key + "/stop")
                .then()
                .statusCode(409);

        // its log, for admins only, read by the fixed command: the end of the file, secrets redacted
        java.nio.file.Path logFile = SshHostResource.stateDirectory().resolve(key + ".log");
        String secret = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8";
        Files.writeString(
                logFile,
                "tool said: token=" + secret + " \u001b[31mred\u001b[0m\nlast line\n",
                java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.APPEND);
        long size = Files.size(logFile);
        given().auth()
                .oauth2(Tokens.operator())
                .contentType("application/json")
                .body("{}")
                .post(path + "/" + key + "/log")
                .then()
                .statusCode(403);
        given().auth()
                .oauth2(Tokens.admin())
                .contentType("application/json")
                .body("{}")
                .post(path + "/" + key + "/log")
                .then()
                .statusCode(200)
                .body("exists", org.hamcrest.Matchers.equalTo(true))
                .body("size_bytes", org.hamcrest.Matchers.equalTo((int) size))
                .body("truncated", org.hamcrest.Matchers.equalTo(false))
                .body("read_by", org.hamcrest.Matchers.equalTo("ada-admin"))
                .body("text", org.hamcrest.Matchers.containsString("last line"))
                .body("text", org.hamcrest.Matchers.containsString("\u001b[31mred"))
                .body("text", org.hamcrest.Matchers.not(org.hamcrest.Matchers.containsString(secret)));
        given().auth()
                .oauth2(Tokens.admin())
                .contentType("application/json")
                .body("{\"max_bytes\":10}")
                .post(path + "/" + key + "/log")
                .then()
                .statusCode(200)
                .body("truncated", org.hamcrest.Matchers.equalTo(true))
                .body("shown_bytes", org.hamcrest.Matchers.equalTo(10))
                .body("text.length()", org.hamcrest.Matchers.lessThanOrEqualTo(10));
        given().auth()
                .oauth2(Tokens.admin())
                .contentType("application/json")
                .body("{\"max_bytes\":0}")
                .post(path + "/" + key + "/log")
                .then()
                .statusCode(400)
                .body("errors.field", org.hamcrest.Matchers.hasItem("max_bytes"));
        given().auth()
                .oauth2(Tokens.admin())
                .contentType("application/json")
                .body("{}")
                .post(path + "/0123456789abcdef0123/log")
                .then()
                .statusCode(200)
                .body("exists", org.hamcrest.Matchers.equalTo(false));

        given().auth()
                .oauth2(Tokens.viewer())
                .post(path + "/" + key + "/stop")
                .then()
                .statusCode(403);
        given().auth()
                .oauth2(Tokens.operator())
                .post(path + "/not-a-key;reboot/stop")
                .then()
                .statusCode(400);

        // the worker's record ends while its app-server stays up (as when a runner's state is lost): this runner is
        // fenced off first so that nothing reattaches, then the row says stopped
        double fencedBefore = metric("agent_sessions_fenced_total");
        Sql.exec("UPDATE agent.session_stream SET fence = fence + 1 WHERE session_id = ?", session.id());
        Sql.exec("UPDATE agent.worker SET fence = fence + 1 WHERE session_id = ?", session.id());
        await().atMost(Duration.ofSeconds(20)).until(() -> metric("agent_sessions_fenced_total") > fencedBefore);
        Sql.exec("UPDATE agent.worker SET state = 'stopped' WHERE session_id = ?", session.id());
        // the stored observation is matched with the live workers at read time: no host login needed to see the orphan
        given().auth()
                .oauth2(Tokens.viewer())
                .get(path)
                .then()
                .statusCode(200)
                .body("items.find { it.server_key == '" + key + "' }.orphan", org.hamcrest.Matchers.equalTo(true));
        given().auth()
                .oauth2(Tokens.operator())
                .post(path + "/" + key + "/stop")
                .then()
                .statusCode(200);
        given().auth()
                .oauth2(Tokens.viewer())
                .get(path)
                .then()
                .statusCode(200)
                .body("items.server_key", org.hamcrest.Matchers.not(org.hamcrest.Matchers.hasItem(key)));
        given().auth()
                .oauth2(Tokens.viewer())
                .get("/api/targets/" + UUID.randomUUID() + "/app-servers")
                .then()
                .statusCode(404);
    }

    /**
     * An app-server that stops answering while its connection stays open (frozen with SIGSTOP: the
     * proxy and the socket stay up, as with a server that died behind a proxy that does not notice) is
     * found by unanswered pings within seconds and named for what it is; once it runs again the worker
     * reattaches and the session goes on.
     */
    @Test
    void anAppServerThatStopsAnsweringIsFoundByItsSilenceToPingsAndReattachedWhenItAnswersAgain() throws Exception {
        session.say("Say hello");
        session.await("turn_completed");
        String key = Sql.rows("SELECT server_key FROM agent.worker WHERE session_id = ?", session.id())
                .get(0)
                .get("server_key")
                .toString();
        String pid = Files.readString(SshHostResource.stateDirectory().resolve(key + ".pid"))
                .trim();
        long frozen = System.nanoTime();
        new ProcessBuilder("kill", "-STOP", pid).start().waitFor();
        try {
            JsonNode detached = firstWorkerState("detached", Duration.ofSeconds(10));
            long reportedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - frozen);
            System.out.printf("liveness: app-server frozen (SIGSTOP) -> reported on SSE: %d ms%n", reportedMillis);
            assertThat(reportedMillis).as("silence -> reported").isLessThan(6_000);
            assertThat(detached.path("body").path("message").asText())
                    .contains("stopped answering")
                    .contains("no answer to pings")
                    .contains("its process still runs");
        } finally {
            new ProcessBuilder("kill", "-CONT", pid).start().waitFor();
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> countState("reattached") >= 1);
        session.say("Say hello after the freeze");
        session.await("turn_completed", 2);
    }

    /**
     * The SSH path stalls (the host's sshd and its connections stop answering; the app-server runs on):
     * reported within seconds as no data from the host, said again while it lasts, and the worker
     * reattaches once the path is back.
     */
    @Test
    void aStalledSshPathIsReportedWhileItLastsAndTheWorkerReattachesAfterwards() throws Exception {
        session.say("Say hello");
        session.await("turn_completed");
        long stalled = System.nanoTime();
        host.freeze();
        try {
            JsonNode detached = firstWorkerState("detached", Duration.ofSeconds(15));
            long reportedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stalled);
            System.out.printf("liveness: SSH path stalled -> reported on SSE: %d ms%n", reportedMillis);
            assertThat(reportedMillis).isLessThan(8_000);
            assertThat(detached.path("body").path("message").asText())
                    .contains("no data from the host")
                    .contains("stalled");
            // while it lasts, viewers hear it again
            await().atMost(Duration.ofSeconds(40))
                    .until(() -> session.events().stream()
                            .anyMatch(e -> e.path("body")
                                    .path("message")
                                    .asText()
                                    .contains("still no connection to the worker")));
        } finally {
            host.thaw();
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> countState("reattached") >= 1);
        session.say("Say hello after the stall");
        session.await("turn_completed", 2);
    }

    /** A command that prints a NUL byte (find -print0, a binary file) is stored and shown, and the session goes on. */
    @Test
    void anAttachedFileIsPutIntoTheWorkingDirectoryOnTheHostCheckedAndTheSessionGoesOn() throws Exception {
        // before any message: no worker runs yet, the file goes where the profile says the work happens
        byte[] file = "server {\n  listen 8080;\n}\n".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        String id = session.attach("nginx.conf", "text/plain", file);
        JsonNode copied = session.await("attachment_copied").path("body");
        assertThat(copied.path("attachment_id").asText()).isEqualTo(id);
        assertThat(copied.path("state").asText()).as(copied.toString()).isEqualTo("copied");
        Path onHost = work.resolve(".devops-console/attachments/nginx.conf");
        assertThat(copied.path("path").asText()).isEqualTo(onHost.toString());
        assertThat(Files.readAllBytes(onHost)).isEqualTo(file);
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(onHost)))
                .isEqualTo("rw-------");
        // the same name again replaces it whole; then the agent works as ever
        byte[] second = "server { listen 9090; }\n".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        session.attach("nginx.conf", "text/plain", second);
        await().atMost(Duration.ofSeconds(30))
                .until(() -> session.kinds().stream()
                                .filter("attachment_copied"::equals)
                                .count()
                        == 2);
        assertThat(Files.readAllBytes(onHost)).isEqualTo(second);
        assertThat(Files.list(onHost.getParent()).map(p -> p.getFileName().toString()))
                .containsExactly("nginx.conf");
        session.say("Say hello");
        session.await("turn_completed");
    }

    @Test
    void aNulByteInACommandsOutputIsStoredVisiblyAndTheSessionGoesOn() throws Exception {
        session.say("RUN_EXEC: printf 'a\\000b\\n'; echo after-nul");
        session.await("turn_completed");
        JsonNode command = session.events().stream()
                .filter(e -> e.path("kind").asText().equals("item_completed")
                        && e.path("body").path("item_type").asText().equals("command_execution"))
                .findFirst()
                .orElseThrow();
        assertThat(command.path("body").path("output").asText())
                .contains("a\u29F5u0000b")
                .contains("after-nul");
        session.say("Say hello after the NUL");
        session.await("turn_completed", 2);
    }

    @Test
    void staleAppServerStateIsListedAsStaleAndCleanedWithoutTouchingLiveOnes() throws Exception {
        session.say("Say hello");
        session.await("turn_completed");
        String live = Sql.rows("SELECT server_key FROM agent.worker WHERE session_id = ?", session.id())
                .get(0)
                .get("server_key")
                .toString();
        // what a killed app-server leaves behind: its files, and a pid that no process has
        String stale = "0123456789abcdef0123";
        Path dir = SshHostResource.stateDirectory();
        Files.writeString(dir.resolve(stale + ".pid"), "4194000\n");
        Files.writeString(dir.resolve(stale + ".dir"), "/srv/gone\n");
        Files.writeString(dir.resolve(stale + ".sock"), "");
        String path = "/api/targets/" + target + "/app-servers";
        // a GET never logs in to the host (ADR 0016): the new files are not seen until someone asks the host
        given().auth()
                .oauth2(Tokens.viewer())
                .get(path)
                .then()
                .statusCode(200)
                .body("items.server_key", org.hamcrest.Matchers.not(org.hamcrest.Matchers.hasItem(stale)));
        given().auth()
                .oauth2(Tokens.operator())
                .post(path + "/refresh")
                .then()
                .statusCode(200)
                .body("items.find { it.server_key == '" + stale + "' }.stale", org.hamcrest.Matchers.equalTo(true))
                .body("items.find { it.server_key == '" + stale + "' }.alive", org.hamcrest.Matchers.equalTo(false))
                .body("items.find { it.server_key == '" + live + "' }.stale", org.hamcrest.Matchers.equalTo(false));
        given().auth().oauth2(Tokens.viewer()).post(path + "/clean").then().statusCode(403);
        given().auth()
                .oauth2(Tokens.operator())
                .post(path + "/clean")
                .then()
                .statusCode(200)
                .body("removed", org.hamcrest.Matchers.hasItem(stale))
                .body("removed", org.hamcrest.Matchers.not(org.hamcrest.Matchers.hasItem(live)));
        assertThat(Files.exists(dir.resolve(stale + ".pid"))).isFalse();
        given().auth()
                .oauth2(Tokens.viewer())
                .get(path)
                .then()
                .statusCode(200)
                .body("items.server_key", org.hamcrest.Matchers.not(org.hamcrest.Matchers.hasItem(stale)))
                .body("items.find { it.server_key == '" + live + "' }.alive", org.hamcrest.Matchers.equalTo(true));
        session.say("Say hello again");
        session.await("turn_completed", 2);
    }

    @Test
    void aCommandWithoutOutputForTooLongIsReportedAsStuckOnce() throws Exception {
        // the test profile reports commands quiet for more than 0.5 s (checked once a second); the command
        // is quiet from its start (output resets the clock, and a login shell can take longer than 0.5 s
        // to print a first line, which would make two quiet stretches)
        session.say("RUN_EXEC: sleep 1.7; echo woke");
        await().atMost(Duration.ofSeconds(20)).until(() -> countState("command_stuck") >= 1);
        session.await("turn_completed");
        List<JsonNode> reports = session.events().stream()
                .filter(e -> e.path("kind").asText().equals("worker_state")
                        && e.path("body").path("state").asText().equals("command_stuck"))
                .toList();
        assertThat(reports).as("reported once").hasSize(1);
        JsonNode command = session.events().stream()
                .filter(e -> e.path("kind").asText().equals("item_started")
                        && e.path("body").path("item_type").asText().equals("command_execution"))
                .findFirst()
                .orElseThrow();
        assertThat(reports.get(0).path("item_id").asText())
                .isEqualTo(command.path("item_id").asText());
        assertThat(reports.get(0).path("body").path("message").asText()).contains("no output for");
        assertThat(reports.get(0).path("body").path("command").asText()).contains("sleep 1.7");
    }

    @Test
    void tokenUsageIsCountedPerTurnAndSummedPerSessionAndProject() throws Exception {
        session.say("Say hello");
        session.await("turn_completed");
        session.say("Say hello again");
        session.await("turn_completed", 2);
        List<JsonNode> usage = session.events().stream()
                .filter(e -> e.path("kind").asText().equals("token_usage"))
                .toList();
        JsonNode last = usage.get(usage.size() - 1).path("body");
        // the scripted model reports 150 tokens per response: the thread's total grows, the turn counts its own
        assertThat(last.path("total_tokens").asLong()).isEqualTo(300);
        assertThat(last.path("turn_total_tokens").asLong()).isEqualTo(150);
        assertThat(last.path("thread_id").asText()).isNotBlank();
        String base = SessionServiceProcess.shared().baseUrl();
        UUID project = UUID.fromString(given().baseUri(base)
                .auth()
                .oauth2(Tokens.viewer())
                .get("/api/sessions/" + session.id())
                .then()
                .statusCode(200)
                .extract()
                .path("project_id"));
        given().baseUri(base)
                .auth()
                .oauth2(Tokens.viewer())
                .get("/api/usage/sessions/" + session.id())
                .then()
                .statusCode(200)
                .body("total_tokens", org.hamcrest.Matchers.equalTo(300))
                .body("input_tokens", org.hamcrest.Matchers.equalTo(240))
                .body("threads", org.hamcrest.Matchers.equalTo(1));
        given().baseUri(base)
                .auth()
                .oauth2(Tokens.viewer())
                .get("/api/usage/projects/" + project)
                .then()
                .statusCode(200)
                .body("total_tokens", org.hamcrest.Matchers.equalTo(300));
        assertThat(given().get("/q/metrics").then().statusCode(200).extract().asString())
                .contains("agent_tokens_total{");
    }

    @Test
    void anAppServerThatDiedIsReplacedTheLostTurnEndsClearlyAndTheThreadGoesOn() throws Exception {
        session.say("Say hello");
        session.await("turn_completed");
        String key = Sql.rows("SELECT server_key FROM agent.worker WHERE session_id = ?", session.id())
                .get(0)
                .get("server_key")
                .toString();
        session.say("RUN_EXEC: for i in 1 2 3 4 5 6 7 8; do echo tick $i; sleep 0.25; done");
        session.await("command_output_delta");
        // the host loses the app-server (killed, rebooted): the runner starts a new one and resumes the thread
        long killed = System.nanoTime();
        new ProcessBuilder(
                        "pkill",
                        "-9",
                        "-f",
                        "unix://" + SshHostResource.stateDirectory().resolve(key + ".sock"))
                .start()
                .waitFor();
        // noticed by its silence to pings within seconds, and named for what it is
        JsonNode detached = firstWorkerState("detached", Duration.ofSeconds(10));
        long noticedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);
        System.out.printf("liveness: app-server kill -9 -> reported on SSE: %d ms%n", noticedMillis);
        assertThat(noticedMillis).as("app-server kill -> reported").isLessThan(5_000);
        // (through a proxy that stays up, unanswered pings tell; here the proxy may also end on its next write)
        assertThat(detached.path("body").path("message").asText())
                .contains("the app-server on")
                .contains("died")
                .contains("its process is gone");
        await().atMost(Duration.ofSeconds(30)).until(() -> countState("reattached") >= 1);
        JsonNode reattached = session.events().stream()
                .filter(e -> e.path("kind").asText().equals("worker_state")
                        && e.path("body").path("state").asText().equals("reattached"))
                .findFirst()
                .orElseThrow();
        assertThat(reattached.path("body").path("message").asText()).contains("had stopped");
        JsonNode ended = await().atMost(Duration.ofSeconds(30))
                .until(
                        () -> session.events().stream()
                                .filter(e -> e.path("kind").asText().startsWith("turn_")
                                        && !e.path("kind").asText().equals("turn_started"))
                                .skip(1)
                                .findFirst()
                                .orElse(null),
                        java.util.Objects::nonNull);
        // codex's proxy does not end when the app-server behind it dies: the runner notices by unanswered pings
        // (or, in these tests with a 3 s inactivity timeout, the turn's silence), then finds the turn lost on the new
        // app-server
        assertThat(ended.path("kind").asText())
                .as("the lost turn ends, clearly")
                .isIn("turn_failed", "turn_interrupted", "turn_timed_out");

        session.say("Say hello after the app-server came back");
        session.await("turn_completed", 2);
        List<String> threads = session.events().stream()
                .filter(e -> e.path("kind").asText().equals("worker_state")
                        && e.path("body").has("thread_id"))
                .map(e -> e.path("body").path("thread_id").asText())
                .distinct()
                .toList();
        assertThat(threads).as("the conversation continues on the same thread").hasSize(1);
    }

    static double metric(String name) {
        String body = given().get("/q/metrics").then().statusCode(200).extract().asString();
        return body.lines()
                .filter(l -> l.startsWith(name + " ") || l.startsWith(name + "{"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .sum();
    }

    static void publish(AgentStreamRecord record) throws Exception {
        Properties props = new Properties();
        props.put(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                TestInfrastructure.kafka().bootstrapServers());
        try (KafkaProducer<String, byte[]> producer =
                new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
            EventEnvelope e = CloudEventCodec.wrap(
                    record,
                    "/agent-runner",
                    "other-runner",
                    OffsetDateTime.now(ZoneOffset.UTC),
                    Map.of(CloudEventCodec.SESSION_ID, record.sessionId().toString()));
            ProducerRecord<String, byte[]> out =
                    new ProducerRecord<>(Topics.AGENT_STREAM, record.sessionId().toString(), e.data());
            CloudEventCodec.toKafkaHeaders(e).forEach((k, v) -> out.headers().add(k, v));
            producer.send(out).get();
        }
    }
}
