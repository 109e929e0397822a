package io.devopsconsole.agent.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyBoolean;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.argThat;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.ArgumentMatchers.isNull;
import static org.mockito.Mockito.RETURNS_DEEP_STUBS;
import static org.mockito.Mockito.atLeast;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.timeout;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.mockito.Mockito.when;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.devopsconsole.agent.AgentConfig;
import io.devopsconsole.agent.codex.TurnMapper;
import io.devopsconsole.agent.inventory.Inventory;
import io.devopsconsole.agent.ssh.SshConnector;
import io.devopsconsole.events.agent.StreamKind;
import io.devopsconsole.events.agent.TurnEnded;
import io.devopsconsole.events.registry.RuntimeProfileState;
import io.devopsconsole.platform.codex.JsonRpcConnection;
import io.devopsconsole.platform.ssh.PinnedSsh;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.mutiny.Uni;
import java.io.ByteArrayOutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The session driver's parts, each on its own with its collaborators mocked (no SSH, no Kafka, no
 * database, no codex): what the relay does with a turn's end, what the health check does with a
 * turn that ran out of time, what a lost stdio worker ends, and how a link tags its connections.
 */
class SessionPartsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long S = TimeUnit.SECONDS.toNanos(1);

    private final UUID sessionId = UUID.randomUUID();
    private final StreamPublisher publisher = mock(StreamPublisher.class);
    private final WorkerStore store = mock(WorkerStore.class);
    private final AgentConfig config = mock(AgentConfig.class, RETURNS_DEEP_STUBS);
    private final SessionDriver driver = mock(SessionDriver.class);
    private SessionScope s;
    private Worker w;

    @BeforeEach
    void scope() {
        when(store.state(any(), anyString(), any(), any(), any()))
                .thenReturn(Uni.createFrom().voidItem());
        when(store.announce(any(), any())).thenReturn(Uni.createFrom().voidItem());
        when(store.turnStarted(any(), any(), any(), any()))
                .thenReturn(Uni.createFrom().voidItem());
        when(store.heartbeat(any(), anyBoolean(), anyLong()))
                .thenReturn(Uni.createFrom().item(true));
        when(config.interruptGrace()).thenReturn(Duration.ofSeconds(10));
        when(config.inactivityTimeout()).thenReturn(Duration.ofSeconds(900));
        when(config.stuckCommandAfter()).thenReturn(Duration.ofSeconds(300));
        when(config.reattachWindow()).thenReturn(Duration.ofSeconds(60));
        when(config.inventoryCatchUp()).thenReturn(Duration.ofMillis(400));
        SessionDriver.Deps deps = new SessionDriver.Deps(
                mock(Inventory.class),
                mock(SshConnector.class),
                publisher,
                store,
                mock(CommandLog.class),
                config,
                new SimpleMeterRegistry());
        s = new SessionScope(sessionId, deps, mock(WorkerLink.class));
        w = worker("stdio");
        s.workers.put(w.target.id(), w);
    }

    private Worker worker(String transport) {
        UUID target = UUID.randomUUID();
        WorkerStore.WorkerView view = new WorkerStore.WorkerView(
                UUID.randomUUID(),
                sessionId,
                UUID.randomUUID(),
                target,
                "web-1",
                "/srv/app",
                transport,
                "thr_1",
                "busy",
                "t1",
                null,
                "runner-1",
                null,
                null,
                null,
                null,
                1,
                null,
                0);
        return new Worker(
                sessionId,
                view,
                new Inventory.Target(
                        target,
                        "web-1",
                        "10.0.0.5",
                        22,
                        "codex",
                        "lab",
                        "control_plane_key",
                        null,
                        "SHA256:x",
                        "ssh-ed25519 AAAA",
                        "ready",
                        false,
                        false));
    }

    private void connect(Worker worker) {
        worker.rpc = mock(JsonRpcConnection.class);
        when(worker.rpc.isClosed()).thenReturn(false);
    }

    private static JsonNode json(String text) throws Exception {
        return JSON.readTree(text);
    }

    @Test
    void aTurnsEndFromTheAppServerIsRelayedAnnouncedAndTheNextMessageStarts() throws Exception {
        s.current = new SessionScope.Turn(null, null, w);
        s.current.turnId = "t1";
        new Relay(s, driver)
                .notification(w, "turn/completed", json("{\"turn\":{\"id\":\"t1\",\"status\":\"completed\"}}"));
        verify(publisher)
                .publish(
                        eq(sessionId),
                        eq(w.target.id()),
                        argThat((List<TurnMapper.Draft> d) -> d.size() == 1
                                && d.get(0).kind() == StreamKind.TURN_COMPLETED
                                && d.get(0).payload().path("outcome").asText().equals("completed")),
                        isNull());
        verify(store)
                .announce(
                        eq(sessionId),
                        argThat(events -> events.size() == 1
                                && events.get(0) instanceof TurnEnded e
                                && e.turnId().equals("t1")
                                && e.status().equals("completed")));
        verify(store).state(w.view, "ready", null, null, null);
        verify(driver).next();
        assertThat(s.current).isNull();
    }

    @Test
    void theLateEndOfATurnAlreadyReportedAsTimedOutIsNotReportedTwice() throws Exception {
        s.current = new SessionScope.Turn(null, null, w);
        s.current.turnId = "t1";
        s.current.timedOut = true;
        new Relay(s, driver).turnCompleted(w, json("{\"turn\":{\"id\":\"t1\",\"status\":\"interrupted\"}}"));
        verify(publisher, never()).publish(any(), any(), any(), any());
        verify(driver).next();
        assertThat(s.current).isNull();
    }

    @Test
    void aTurnWithoutActivityForTheTimeoutEndsTimedOutAndIsInterruptedButNotWhileAPersonDecides() {
        connect(w);
        s.current = new SessionScope.Turn(null, null, w);
        s.current.turnId = "t1";
        Health health = new Health(s, driver, mock(Reconnection.class));
        long now = System.nanoTime();
        w.lastActivityNanos = now - 899 * S;
        health.checkTurn(now);
        verify(driver, never()).endTurnHere(any(), any(), any());

        w.lastActivityNanos = now - 901 * S;
        health.checkTurn(now);
        verify(driver)
                .endTurnHere(
                        eq(w), eq("timed_out"), argThat(m -> m.contains("no activity from the app-server for 900 s")));
        verify(driver).interrupt("timed out");
        assertThat(s.current.timedOut).isTrue();
    }

    @Test
    void anInterruptTheAppServerIgnoresDropsTheWorkerAndTheNextMessageStarts() {
        connect(w);
        s.current = new SessionScope.Turn(null, null, w);
        s.current.turnId = "t1";
        long now = System.nanoTime();
        s.current.interruptSentNanos = now - 11 * S;
        new Health(s, driver, mock(Reconnection.class)).checkTurn(now);
        verify(driver).endTurnHere(eq(w), eq("failed"), argThat(m -> m.contains("within 10 s of an interrupt")));
        verify(store)
                .state(
                        eq(w.view),
                        eq("lost"),
                        argThat(m -> m.contains("within 10 s of an interrupt")),
                        isNull(),
                        isNull());
        verify(driver).next();
        assertThat(s.workers).isEmpty();
        assertThat(s.current).isNull();
        assertThat(w.stopping).isTrue();
    }

    @Test
    void aLostStdioWorkerFailsItsTurnEndsAndLeavesTheSession() {
        s.current = new SessionScope.Turn(null, null, w);
        s.current.turnId = "t1";
        new Reconnection(s, driver).lost(w, "the connection to the worker on web-1 was lost (EOF)");
        verify(driver).failCurrent(w, "the connection to the worker on web-1 was lost (EOF)");
        verify(store).state(w.view, "lost", "the connection to the worker on web-1 was lost (EOF)", null, null);
        assertThat(s.workers).isEmpty();
    }

    @Test
    void aLinkTagsEachConnectionSoThatAnEarlierOnesMessagesCanBeToldApart() throws Exception {
        SshConnector ssh = mock(SshConnector.class);
        WorkerLink.Listener listener = mock(WorkerLink.Listener.class);
        PipedOutputStream firstServer = new PipedOutputStream();
        PipedOutputStream secondServer = new PipedOutputStream();
        PinnedSsh.Exec first = exec(new PipedInputStream(firstServer));
        PinnedSsh.Exec second = exec(new PipedInputStream(secondServer));
        when(ssh.exec(any(), anyString())).thenReturn(first, second);
        WorkerLink link = new WorkerLink(ssh, "abcd1234", "devops-console", null, listener);

        link.connectStdio(w, "codex app-server");
        int firstGeneration = w.generation;
        link.connectStdio(w, "codex app-server");
        assertThat(w.generation).isEqualTo(firstGeneration + 1);
        firstServer.write("{\"method\":\"turn/started\",\"params\":{}}\n".getBytes(StandardCharsets.UTF_8));
        firstServer.flush();
        secondServer.write("{\"method\":\"item/started\",\"params\":{}}\n".getBytes(StandardCharsets.UTF_8));
        secondServer.flush();
        verify(listener, timeout(5_000)).onNotification(eq(w), eq(firstGeneration), eq("turn/started"), any());
        verify(listener, timeout(5_000)).onNotification(eq(w), eq(firstGeneration + 1), eq("item/started"), any());
        assertThat(w.app).isNotNull();
        WorkerLink.close(w);
        assertThat(w.rpc).isNull();
        assertThat(w.channel).isNull();
        verify(second).close();
    }

    @Test
    void aTurnForAProjectWithoutAProfileOrOnATargetNotReadyIsRefusedBeforeAnySsh() {
        UUID project = UUID.randomUUID();
        Inventory inventory = s.deps.inventory();
        when(inventory.profileOf(project)).thenReturn(Uni.createFrom().item(Optional.empty()));
        WorkerStarter starter = new WorkerStarter(s, driver, mock(Reconnection.class));
        long asked = System.nanoTime();
        assertThatThrownBy(() -> starter.ensureWorker(project, null))
                .isInstanceOf(SessionDriver.Refused.class)
                .hasMessageContaining("has no runtime profile");
        // refused only once the inventory had its time to catch up, having looked again meanwhile
        assertThat(System.nanoTime() - asked)
                .isGreaterThanOrEqualTo(Duration.ofMillis(400).toNanos());
        verify(inventory, atLeast(3)).profileOf(project);

        UUID target = UUID.randomUUID();
        when(inventory.profileOf(project)).thenReturn(Uni.createFrom().item(Optional.of(profile(project, target))));
        when(inventory.target(target)).thenReturn(Uni.createFrom().item(Optional.of(web9(target, null, null))));
        assertThatThrownBy(() -> starter.ensureWorker(project, null))
                .isInstanceOf(SessionDriver.Refused.class)
                .hasMessageContaining("no trusted host key")
                .hasMessageEndingWith("; no connection was attempted");
        assertThatThrownBy(() -> starter.ensureWorker(project, UUID.randomUUID()))
                .isInstanceOf(SessionDriver.Refused.class)
                .hasMessageContaining("is not bound to the runtime profile");
        verifyNoInteractions(s.link);
    }

    @Test
    void aProfileAndTargetThatReachTheInventoryAMomentAfterTheTurnAreUsed() {
        // the coordinator creates a project, binds a target and asks at once: the runner's projection
        // of the registry is a moment behind, and the turn waits for it instead of failing
        UUID project = UUID.randomUUID();
        UUID target = UUID.randomUUID();
        Inventory inventory = s.deps.inventory();
        Optional<Inventory.Profile> profile = Optional.of(profile(project, target));
        when(inventory.profileOf(project))
                .thenReturn(
                        Uni.createFrom().item(Optional.empty()),
                        Uni.createFrom().item(Optional.empty()),
                        Uni.createFrom().item(profile));
        when(inventory.target(target))
                .thenReturn(
                        Uni.createFrom().item(Optional.empty()),
                        Uni.createFrom().item(Optional.of(web9(target, null, null))));
        WorkerStarter starter = new WorkerStarter(s, driver, mock(Reconnection.class));
        // found on the third look, and its target on the second: the refusal is the target's own state
        assertThatThrownBy(() -> starter.ensureWorker(project, null))
                .isInstanceOf(SessionDriver.Refused.class)
                .hasMessageContaining("target web-9 has no trusted host key");
        verify(inventory, times(3)).profileOf(project);
        verify(inventory, times(2)).target(target);
        verifyNoInteractions(s.link);
    }

    @Test
    void aNewWorkerFallsBackToStdioWhenNoDurableAppServerAnswersAndSaysItIsReady() throws Exception {
        UUID project = UUID.randomUUID();
        UUID target = UUID.randomUUID();
        Inventory inventory = s.deps.inventory();
        when(inventory.profileOf(project)).thenReturn(Uni.createFrom().item(Optional.of(profile(project, target))));
        when(inventory.target(target))
                .thenReturn(Uni.createFrom().item(Optional.of(web9(target, "SHA256:x", "ssh-ed25519 AAAA"))));
        when(config.transport()).thenReturn("auto");
        when(config.codex().command()).thenReturn("codex");
        when(config.codex().stateDirectory()).thenReturn(Optional.empty());
        when(config.instanceId()).thenReturn("runner-1");
        when(store.lastThread(sessionId, target)).thenReturn(Uni.createFrom().item(Optional.of("thr_old")));
        when(store.create(
                        any(),
                        eq(sessionId),
                        eq(project),
                        eq(target),
                        eq("web-9"),
                        eq("/srv/app"),
                        eq("runner-1"),
                        eq("durable"),
                        any(),
                        anyLong()))
                .thenAnswer(a -> Uni.createFrom()
                        .item(new WorkerStore.WorkerView(
                                a.getArgument(0),
                                sessionId,
                                project,
                                target,
                                "web-9",
                                "/srv/app",
                                "durable",
                                null,
                                "starting",
                                null,
                                null,
                                "runner-1",
                                null,
                                null,
                                null,
                                a.getArgument(8),
                                3,
                                null,
                                0)));
        doThrow(new java.io.IOException("the durable app-server did not answer"))
                .when(s.link)
                .connectDurable(any(), anyString());
        when(s.link.openThread(any(), eq("thr_old"), eq("/srv/app"), any())).thenReturn("thr_old");

        Worker started = new WorkerStarter(s, driver, mock(Reconnection.class)).ensureWorker(project, null);

        assertThat(started.view.transport()).isEqualTo("stdio");
        assertThat(started.threadId).isEqualTo("thr_old");
        assertThat(s.workers).containsEntry(target, started);
        verify(s.link).connectStdio(eq(started), argThat(c -> c.contains("codex") && c.contains("app-server")));
        verify(s.link).hello(started);
        verify(store).state(started.view, "ready", null, "thr_old", null);
        verify(publisher, times(2))
                .publish(
                        eq(sessionId),
                        eq(target),
                        argThat((List<TurnMapper.Draft> d) -> d.get(0).kind() == StreamKind.WORKER_STATE),
                        isNull());
    }

    @Test
    void takingASessionOverAdoptsItsDurableWorkersUnderTheNewFenceAndEndsItsStdioOnes() {
        when(publisher.acquire(eq(sessionId), any())).thenReturn(7L);
        when(config.instanceId()).thenReturn("runner-2");
        Worker durable = worker("durable");
        Worker stdio = worker("stdio");
        WorkerStore.WorkerView stdioRow = new WorkerStore.WorkerView(
                stdio.view.id(),
                sessionId,
                stdio.view.projectId(),
                stdio.target.id(),
                "web-1",
                "/srv/app",
                "stdio",
                "thr_2",
                "busy",
                "t9",
                null,
                "runner-1",
                null,
                null,
                null,
                null,
                1,
                null,
                0);
        when(store.live(sessionId)).thenReturn(Uni.createFrom().item(List.of(durable.view, stdioRow)));
        when(store.adopt(any(), eq(7L), eq("runner-2")))
                .thenAnswer(a -> Uni.createFrom()
                        .item(Optional.of(a.getArgument(0).equals(durable.view.id()) ? durable.view : stdioRow)));
        when(s.deps.inventory().target(durable.target.id()))
                .thenReturn(Uni.createFrom().item(Optional.of(durable.target)));
        when(s.deps.inventory().target(stdio.target.id()))
                .thenReturn(Uni.createFrom().item(Optional.of(stdio.target)));
        Reconnection reconnection = mock(Reconnection.class);
        s.workers.clear();

        new Takeover(s, driver, reconnection).takeOver();

        assertThat(s.fence).isEqualTo(7);
        verify(publisher)
                .publishAndWait(
                        eq(sessionId),
                        eq(durable.target.id()),
                        argThat(d -> d.size() == 1
                                && d.get(0).payload().path("state").asText().equals("reattaching")));
        verify(reconnection)
                .reattach(argThat(w -> w.view.id().equals(durable.view.id()) && w.threadId.equals("thr_1")));
        verify(driver)
                .failCurrent(
                        argThat(w -> w.view.id().equals(stdio.view.id())),
                        argThat(m -> m.contains("stdio worker is gone")));
        verify(store)
                .state(eq(stdioRow), eq("lost"), argThat(m -> m.contains("stdio worker is gone")), isNull(), isNull());
    }

    private static PinnedSsh.Exec exec(PipedInputStream stdout) {
        PinnedSsh.Exec exec = mock(PinnedSsh.Exec.class);
        when(exec.stdout()).thenReturn(stdout);
        when(exec.stdin()).thenReturn(new ByteArrayOutputStream());
        return exec;
    }

    /** A runtime profile binding {@code target} as the primary one, in /srv/app, with no Codex options. */
    private static Inventory.Profile profile(UUID project, UUID target) {
        return new Inventory.Profile(
                UUID.randomUUID(),
                project,
                List.of(new RuntimeProfileState.Binding(target, "primary", "/srv/app")),
                RuntimeProfileState.CodexOptions.NONE);
    }

    /** Target web-9 (lab, Codex ready) with this trusted host key, or none. */
    private static Inventory.Target web9(UUID target, String fingerprint, String publicKey) {
        return new Inventory.Target(
                target,
                "web-9",
                "10.0.0.9",
                22,
                "codex",
                "lab",
                "control_plane_key",
                null,
                fingerprint,
                publicKey,
                "ready",
                false,
                false);
    }
}
