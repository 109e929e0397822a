package io.devopsconsole.events;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.devopsconsole.events.agent.AgentCommand;
import io.devopsconsole.events.agent.AgentLifecycleEvent;
import io.devopsconsole.events.agent.AgentStreamEvent;
import io.devopsconsole.events.agent.AgentStreamRecord;
import io.devopsconsole.events.agent.ApprovalDecided;
import io.devopsconsole.events.agent.CommandExecuted;
import io.devopsconsole.events.agent.InterruptRequested;
import io.devopsconsole.events.agent.StopWorker;
import io.devopsconsole.events.agent.StreamKind;
import io.devopsconsole.events.agent.TurnEnded;
import io.devopsconsole.events.agent.TurnRequested;
import io.devopsconsole.events.agent.TurnStarted;
import io.devopsconsole.events.agent.WorkerStateChanged;
import io.devopsconsole.events.audit.AuditEvent;
import io.devopsconsole.events.audit.AuditRecorded;
import io.devopsconsole.events.onboarding.CodexReadinessObserved;
import io.devopsconsole.events.onboarding.HostKeyTrustConfirmed;
import io.devopsconsole.events.onboarding.OnboardingEvent;
import io.devopsconsole.events.registry.*;
import io.devopsconsole.events.session.ApprovalRequested;
import io.devopsconsole.events.session.ApprovalResolved;
import io.devopsconsole.events.session.OperatorMessagePosted;
import io.devopsconsole.events.session.SessionCreated;
import io.devopsconsole.events.session.SessionEvent;
import io.devopsconsole.events.session.SessionStateChanged;
import java.io.IOException;
import java.io.InputStream;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Pins the JSON of every event type: a change to a record that alters its JSON fails here and
 * has to be a conscious new version (".v2"), not an accident that breaks readers.
 */
class EventSnapshotTest {

    static final UUID PROJECT = UUID.fromString("7f0b8a5e-2a7c-4d8e-9a41-0c3f5e6d7a81");
    static final UUID SITE = UUID.fromString("5f1d3c2a-0001-4a7e-9c10-000000000001");
    static final UUID TUNNEL = UUID.fromString("5f1d3c2a-0002-4a7e-9c10-000000000001");
    static final UUID RULE = UUID.fromString("5f1d3c2a-0003-4a7e-9c10-000000000002");
    static final UUID TARGET = UUID.fromString("0b7e6c1e-8d2f-4f4b-a3c4-5a6b7c8d9e0f");
    static final UUID PROFILE = UUID.fromString("c3a1e2f4-1b2c-4d3e-8f90-a1b2c3d4e5f6");
    static final UUID RUN = UUID.fromString("e1d2c3b4-a5f6-4e7d-8c9b-0a1b2c3d4e5f");
    static final UUID SESSION = UUID.fromString("a1b2c3d4-0005-4e6f-8a9b-0c1d2e3f4a5b");
    static final UUID MESSAGE = UUID.fromString("a1b2c3d4-0006-4e6f-8a9b-0c1d2e3f4a5b");
    static final UUID APPROVAL = UUID.fromString("a1b2c3d4-0007-4e6f-8a9b-0c1d2e3f4a5b");
    static final OffsetDateTime CHECKED = OffsetDateTime.of(2026, 11, 22, 9, 30, 0, 0, ZoneOffset.UTC);
    static final TargetState TARGET_STATE = new TargetState(
            TARGET,
            "devOps-test-001",
            "10.76.22.150",
            22,
            "root",
            "lab",
            SITE,
            "lan",
            null,
            "default_control_plane_identity",
            null,
            "SHA256:Qm9ndXNGaW5nZXJwcmludEZvclRlc3RzT25seTAwMDA",
            "ready",
            false,
            3);
    static final TunnelProfileState TUNNEL_STATE = new TunnelProfileState(
            TUNNEL,
            "wg-12alder",
            "wireguard",
            "wg-12alder",
            "/etc/wireguard/wg-12alder.conf",
            true,
            "up",
            true,
            CHECKED,
            4);
    static final UUID WORKER = UUID.fromString("5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a");
    static final RuntimeProfileState PROFILE_STATE = new RuntimeProfileState(
            PROFILE,
            PROJECT,
            "confirm",
            List.of(new RuntimeProfileState.Binding(TARGET, "primary", "/srv/projects/payments-api")),
            new RuntimeProfileState.CodexOptions(
                    "gpt-5-codex", "lab-gateway", "https://llm.lab.example/v1", "on-request", "workspace-write"),
            1);

    /** One sample of every catalogued event type. */
    static Stream<DomainEvent> samples() {
        return Stream.of(
                new ProjectCreated(
                        PROJECT, "payments-api", "Payments API", "Card processing", "/srv/projects/payments-api", 0),
                new ProjectUpdated(
                        PROJECT,
                        "payments-api",
                        "Payments API v2",
                        "Card processing",
                        "/srv/projects/payments",
                        1,
                        List.of("name", "default_working_directory")),
                new ProjectArchived(PROJECT, "payments-api", "Payments API v2", 2),
                new SiteCreated(SITE, "Dubai DC", "Main data centre", 0),
                new SiteUpdated(SITE, "Dubai DC 1", "Main data centre", 1, List.of("name")),
                new SiteDeleted(SITE, "Dubai DC 1", 1),
                new NetworkRuleCreated(RULE, "10.26.0.0/16", SITE, "tunnel", TUNNEL, "lab network", 0),
                new NetworkRuleUpdated(
                        RULE,
                        "10.26.0.0/16",
                        SITE,
                        "lan",
                        null,
                        "lab network",
                        1,
                        List.of("access_path", "tunnel_profile_id")),
                new NetworkRuleDeleted(RULE, "10.26.0.0/16", 1),
                new TunnelProfileCreated(TUNNEL_STATE),
                new TunnelProfileUpdated(TUNNEL_STATE, List.of("operational_state", "last_checked_at")),
                new TunnelProfileDeleted(TUNNEL_STATE),
                new TargetRegistered(TARGET_STATE),
                new TargetRenamed(TARGET, "devops-test-001", "devOps-test-001", "lab", 4),
                new TargetUpdated(TARGET_STATE, List.of("port")),
                new TargetRetired(TARGET, "devOps-test-001", "lab", 5),
                new TargetRemoved(TARGET_STATE, "decommissioned"),
                new HostKeyTrusted(
                        TARGET,
                        "devOps-test-001",
                        "ssh-ed25519",
                        "SHA256:Qm9ndXNGaW5nZXJwcmludEZvclRlc3RzT25seTAwMDA",
                        "AAAAC3NzaC1lZDI1NTE5AAAAIPlaceholderPublicKeyForSnapshotTestsOnly",
                        "onboarding",
                        "olga",
                        2),
                new CodexStatusChanged(TARGET, "devOps-test-001", "installed_but_auth_required", "ready", 3),
                new RuntimeProfileCreated(PROFILE_STATE),
                new RuntimeProfileUpdated(PROFILE_STATE, List.of("bindings")),
                new RuntimeProfileDeleted(PROFILE_STATE),
                new HostKeyTrustConfirmed(
                        TARGET,
                        RUN,
                        "ssh-ed25519",
                        "SHA256:Qm9ndXNGaW5nZXJwcmludEZvclRlc3RzT25seTAwMDA",
                        "AAAAC3NzaC1lZDI1NTE5AAAAIPlaceholderPublicKeyForSnapshotTestsOnly"),
                new CodexReadinessObserved(TARGET, RUN, "installed_but_auth_required", "codex-cli 0.169.0"),
                new io.devopsconsole.events.onboarding.OnboardingMilestone(
                        RUN,
                        TARGET,
                        "devOps-test-001",
                        null,
                        "host_key_trusted",
                        "probing",
                        "olga trusted ssh-ed25519 SHA256:Qm9ndXNGaW5nZXJwcmludEZvclRlc3RzT25seTAwMDA"),
                new io.devopsconsole.events.onboarding.CodexAuthSlotChanged(
                        UUID.fromString("5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a"),
                        "team-a",
                        "provisioned",
                        "codex-auth/team-a",
                        2,
                        TARGET,
                        null,
                        "written to $HOME/.codex/auth.json (mode 600)"),
                new io.devopsconsole.events.onboarding.TunnelStateObserved(
                        UUID.fromString("6e5d4c3b-2a1f-4e0d-9c8b-7a6f5e4d3c2b"),
                        "wg-12alder",
                        TARGET,
                        "activate",
                        "succeeded",
                        "up",
                        true,
                        "peer handshake 3 s ago"),
                new io.devopsconsole.events.onboarding.HostWorkflowChanged(
                        UUID.fromString("7f6e5d4c-3b2a-4f1e-8d9c-8b7a6f5e4d3c"),
                        "cockpit",
                        TARGET,
                        "lab-web-1",
                        "lab",
                        "succeeded",
                        "5 steps succeeded; port 9090 listens",
                        "https://10.76.22.150:9090/"),
                new io.devopsconsole.events.onboarding.SshKeyStored(
                        "local:ssh/targets/web-1",
                        "stored",
                        "ecdsa-sha2-nistp256",
                        "SHA256:Qm9ndXNGaW5nZXJwcmludEZvclRlc3RzT25seTAwMDA",
                        1,
                        "production"),
                new SessionCreated(SESSION, PROJECT, "requested", "olga"),
                new io.devopsconsole.events.session.AttachmentAdded(
                        SESSION,
                        PROJECT,
                        APPROVAL,
                        "nginx.conf",
                        "text/plain",
                        5,
                        "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824",
                        "olga"),
                new SessionStateChanged(
                        SESSION, PROJECT, "active", "waiting_approval", "the agent asked to run a command"),
                new OperatorMessagePosted(SESSION, PROJECT, MESSAGE, 7, 42),
                new ApprovalRequested(
                        APPROVAL, SESSION, "command", "run: npm test (in /srv/projects/payments-api)", "elevated"),
                new ApprovalResolved(
                        APPROVAL,
                        SESSION,
                        "command",
                        "run: npm test (in /srv/projects/payments-api)",
                        "approved",
                        "olga",
                        false,
                        "tests only"),
                new io.devopsconsole.events.session.CoordinatorToolCalled(
                        SESSION,
                        "rename_target",
                        "model",
                        "fleet-2",
                        "refused",
                        403,
                        null,
                        "viewer may not change targets"),
                new io.devopsconsole.events.session.CoordinatorProposalDecided(
                        APPROVAL,
                        SESSION,
                        "trust_host_key",
                        "trust host key SHA256:abc for fleet-2",
                        "confirmed",
                        "olga"),
                new TurnRequested(SESSION, PROJECT, MESSAGE, 7, "Run the tests and tell me what fails", "olga", TARGET),
                new ApprovalDecided(SESSION, APPROVAL, "0", "approved", "olga"),
                new InterruptRequested(SESSION, "olga"),
                new StopWorker(SESSION, "olga", "session stopped by the operator"),
                new io.devopsconsole.events.agent.CopyAttachment(
                        SESSION,
                        PROJECT,
                        APPROVAL,
                        "nginx.conf",
                        5,
                        "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824",
                        "aGVsbG8=",
                        "olga"),
                new io.devopsconsole.events.agent.RunnerHeartbeat("runner-a", List.of(SESSION), CHECKED, 500, false),
                new io.devopsconsole.events.logs.SessionLogged(
                        SESSION,
                        CHECKED,
                        "agent-runner",
                        "runner-a",
                        4711,
                        "WARN",
                        "io.devopsconsole.agent.worker.Health",
                        "session a1b2c3d4: the worker on web-3 went silent: no answer for 30 s",
                        null,
                        "4bf92f3577b34da6a3ce929d0e0e4736"),
                new AgentStreamRecord(
                        UUID.fromString("3c2b1a09-8f7e-4d6c-9b5a-0f1e2d3c4b5a"),
                        SESSION,
                        12,
                        StreamKind.ITEM_COMPLETED,
                        "turn-1",
                        "item-3",
                        TARGET,
                        CHECKED,
                        EventJson.mapper()
                                .createObjectNode()
                                .put("item_type", "command_execution")
                                .put("command", "npm test")
                                .put("cwd", "/srv/projects/payments-api")
                                .put("exit_code", 0)
                                .put("duration_ms", 5120),
                        3L),
                new WorkerStateChanged(
                        SESSION, WORKER, TARGET, "lab-01", "/srv/projects/payments-api", "stdio", "ready", null),
                new TurnStarted(SESSION, WORKER, TARGET, "thread-1", "turn-1", MESSAGE, "olga"),
                new TurnEnded(SESSION, WORKER, TARGET, "turn-1", "failed", "model endpoint answered 500", 1520),
                new CommandExecuted(
                        SESSION,
                        TARGET,
                        "turn-1",
                        "call_3",
                        "/bin/bash -lc 'npm test'",
                        "/srv/projects/payments-api",
                        "completed",
                        0,
                        5120L,
                        "turn-1:call_3"),
                new AuditRecorded(
                        UUID.fromString("9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"),
                        RUN,
                        CHECKED,
                        CHECKED.plusSeconds(1),
                        "/registry-service",
                        ProjectCreated.TYPE,
                        "olga",
                        "project.created",
                        "project",
                        PROJECT.toString(),
                        "payments-api",
                        null,
                        "elevated",
                        "olga created project payments-api",
                        EventJson.mapper()
                                .createObjectNode()
                                .put("slug", "payments-api")
                                .put("password", "[REDACTED]"),
                        true,
                        "4f".repeat(32),
                        "3e".repeat(32),
                        "console",
                        null));
    }

    @ParameterizedTest
    @MethodSource("samples")
    void eventJsonMatchesItsSnapshot(DomainEvent event) throws IOException {
        String type = EventCatalog.of(event).type();
        JsonNode actual = EventJson.mapper().readTree(CloudEventCodec.toJson(event));
        JsonNode expected;
        try (InputStream in = getClass().getResourceAsStream("/snapshots/" + type + ".json")) {
            assertThat(in).as("snapshot file for " + type).isNotNull();
            expected = EventJson.mapper().readTree(in);
        }
        assertThat(actual).isEqualTo(expected);
    }

    @ParameterizedTest
    @MethodSource("samples")
    void snapshotParsesBackToTheSameRecord(DomainEvent event) throws IOException {
        String type = EventCatalog.of(event).type();
        try (InputStream in = getClass().getResourceAsStream("/snapshots/" + type + ".json")) {
            Object parsed = EventJson.mapper().readValue(in, event.getClass());
            assertThat(parsed).isEqualTo(event);
        }
    }

    /** Each domain's sealed interface, its type-name prefix and its topic. */
    static final Map<Class<?>, List<String>> DOMAINS = Map.of(
            RegistryEvent.class, List.of("registry", Topics.REGISTRY),
            OnboardingEvent.class, List.of("onboarding", Topics.ONBOARDING),
            AuditEvent.class, List.of("audit", Topics.AUDIT),
            SessionEvent.class, List.of("session", Topics.SESSION),
            AgentCommand.class, List.of("agent", Topics.AGENT_COMMANDS),
            AgentStreamEvent.class, List.of("agent", Topics.AGENT_STREAM),
            AgentLifecycleEvent.class, List.of("agent", Topics.AGENT),
            io.devopsconsole.events.agent.AgentPresenceEvent.class, List.of("agent", Topics.AGENT_PRESENCE),
            io.devopsconsole.events.logs.SessionLogEvent.class, List.of("session", Topics.SESSION_LOGS));

    @ParameterizedTest
    @ValueSource(
            classes = {
                RegistryEvent.class,
                OnboardingEvent.class,
                AuditEvent.class,
                SessionEvent.class,
                AgentCommand.class,
                AgentStreamEvent.class,
                AgentLifecycleEvent.class,
                io.devopsconsole.events.agent.AgentPresenceEvent.class,
                io.devopsconsole.events.logs.SessionLogEvent.class
            })
    void everyPermittedEventIsCataloguedSampledAndNamedByConvention(Class<?> domain) {
        String name = DOMAINS.get(domain).get(0);
        String topic = DOMAINS.get(domain).get(1);
        Set<Class<?>> permitted = Arrays.stream(domain.getPermittedSubclasses())
                .flatMap(c -> c.isSealed() ? Arrays.stream(c.getPermittedSubclasses()) : Stream.of(c))
                .collect(Collectors.toSet());
        assertThat(permitted).isNotEmpty().allMatch(Class::isRecord);
        Set<Class<?>> sampled = samples().map(Object::getClass).collect(Collectors.toSet());
        assertThat(sampled).containsAll(permitted);
        for (Class<?> c : permitted) {
            String type = StreamSupport.stream(EventCatalog.entries().spliterator(), false)
                    .filter(e -> e.recordClass() == c)
                    .findFirst()
                    .orElseThrow()
                    .type();
            assertThat(type).matches("io\\.devopsconsole\\." + name + "\\.[a-z_]+\\.[a-z_]+\\.v[0-9]+");
            assertThat(EventCatalog.byType(type).orElseThrow().topic()).isEqualTo(topic);
        }
    }

    @Test
    void typeNamesAreUnique() {
        List<String> types = StreamSupport.stream(EventCatalog.entries().spliterator(), false)
                .map(EventCatalog.Entry::type)
                .toList();
        assertThat(types).doesNotHaveDuplicates();
    }
}
