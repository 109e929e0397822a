package io.devopsconsole.events;

import io.devopsconsole.events.agent.AgentStreamRecord;
import io.devopsconsole.events.agent.ApprovalDecided;
import io.devopsconsole.events.agent.CommandExecuted;
import io.devopsconsole.events.agent.InterruptRequested;
import io.devopsconsole.events.agent.StopWorker;
import io.devopsconsole.events.agent.TurnEnded;
import io.devopsconsole.events.agent.TurnRequested;
import io.devopsconsole.events.agent.TurnStarted;
import io.devopsconsole.events.agent.WorkerStateChanged;
import io.devopsconsole.events.audit.AuditRecorded;
import io.devopsconsole.events.onboarding.CodexAuthSlotChanged;
import io.devopsconsole.events.onboarding.CodexReadinessObserved;
import io.devopsconsole.events.onboarding.HostKeyTrustConfirmed;
import io.devopsconsole.events.onboarding.OnboardingMilestone;
import io.devopsconsole.events.onboarding.SshKeyStored;
import io.devopsconsole.events.onboarding.TunnelStateObserved;
import io.devopsconsole.events.registry.*;
import io.devopsconsole.events.session.ApprovalRequested;
import io.devopsconsole.events.session.ApprovalResolved;
import io.devopsconsole.events.session.OperatorMessagePosted;
import io.devopsconsole.events.session.SessionCreated;
import io.devopsconsole.events.session.SessionStateChanged;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The closed list of event types: CloudEvent type name, record class and topic. Adding an event
 * means adding its record under its domain's sealed interface and one line here; the catalogue
 * test fails when a permitted record is missing.
 */
public final class EventCatalog {

    /** One event type. */
    public record Entry(String type, Class<? extends DomainEvent> recordClass, String topic) {}

    private static final Map<String, Entry> BY_TYPE = new LinkedHashMap<>();
    private static final Map<Class<?>, Entry> BY_CLASS = new LinkedHashMap<>();

    static {
        register(ProjectCreated.TYPE, ProjectCreated.class, Topics.REGISTRY);
        register(ProjectUpdated.TYPE, ProjectUpdated.class, Topics.REGISTRY);
        register(ProjectArchived.TYPE, ProjectArchived.class, Topics.REGISTRY);
        register(SiteCreated.TYPE, SiteCreated.class, Topics.REGISTRY);
        register(SiteUpdated.TYPE, SiteUpdated.class, Topics.REGISTRY);
        register(SiteDeleted.TYPE, SiteDeleted.class, Topics.REGISTRY);
        register(NetworkRuleCreated.TYPE, NetworkRuleCreated.class, Topics.REGISTRY);
        register(NetworkRuleUpdated.TYPE, NetworkRuleUpdated.class, Topics.REGISTRY);
        register(NetworkRuleDeleted.TYPE, NetworkRuleDeleted.class, Topics.REGISTRY);
        register(TunnelProfileCreated.TYPE, TunnelProfileCreated.class, Topics.REGISTRY);
        register(TunnelProfileUpdated.TYPE, TunnelProfileUpdated.class, Topics.REGISTRY);
        register(TunnelProfileDeleted.TYPE, TunnelProfileDeleted.class, Topics.REGISTRY);
        register(TargetRegistered.TYPE, TargetRegistered.class, Topics.REGISTRY);
        register(TargetRenamed.TYPE, TargetRenamed.class, Topics.REGISTRY);
        register(TargetUpdated.TYPE, TargetUpdated.class, Topics.REGISTRY);
        register(TargetRetired.TYPE, TargetRetired.class, Topics.REGISTRY);
        register(TargetRemoved.TYPE, TargetRemoved.class, Topics.REGISTRY);
        register(HostKeyTrusted.TYPE, HostKeyTrusted.class, Topics.REGISTRY);
        register(CodexStatusChanged.TYPE, CodexStatusChanged.class, Topics.REGISTRY);
        register(RuntimeProfileCreated.TYPE, RuntimeProfileCreated.class, Topics.REGISTRY);
        register(RuntimeProfileUpdated.TYPE, RuntimeProfileUpdated.class, Topics.REGISTRY);
        register(RuntimeProfileDeleted.TYPE, RuntimeProfileDeleted.class, Topics.REGISTRY);
        register(HostKeyTrustConfirmed.TYPE, HostKeyTrustConfirmed.class, Topics.ONBOARDING);
        register(CodexReadinessObserved.TYPE, CodexReadinessObserved.class, Topics.ONBOARDING);
        register(OnboardingMilestone.TYPE, OnboardingMilestone.class, Topics.ONBOARDING);
        register(CodexAuthSlotChanged.TYPE, CodexAuthSlotChanged.class, Topics.ONBOARDING);
        register(TunnelStateObserved.TYPE, TunnelStateObserved.class, Topics.ONBOARDING);
        register(
                io.devopsconsole.events.onboarding.HostWorkflowChanged.TYPE,
                io.devopsconsole.events.onboarding.HostWorkflowChanged.class,
                Topics.ONBOARDING);
        register(SshKeyStored.TYPE, SshKeyStored.class, Topics.ONBOARDING);
        register(SessionCreated.TYPE, SessionCreated.class, Topics.SESSION);
        register(SessionStateChanged.TYPE, SessionStateChanged.class, Topics.SESSION);
        register(OperatorMessagePosted.TYPE, OperatorMessagePosted.class, Topics.SESSION);
        register(ApprovalRequested.TYPE, ApprovalRequested.class, Topics.SESSION);
        register(ApprovalResolved.TYPE, ApprovalResolved.class, Topics.SESSION);
        register(
                io.devopsconsole.events.session.CoordinatorToolCalled.TYPE,
                io.devopsconsole.events.session.CoordinatorToolCalled.class,
                Topics.SESSION);
        register(
                io.devopsconsole.events.session.CoordinatorProposalDecided.TYPE,
                io.devopsconsole.events.session.CoordinatorProposalDecided.class,
                Topics.SESSION);
        register(
                io.devopsconsole.events.session.AttachmentAdded.TYPE,
                io.devopsconsole.events.session.AttachmentAdded.class,
                Topics.SESSION);
        register(TurnRequested.TYPE, TurnRequested.class, Topics.AGENT_COMMANDS);
        register(ApprovalDecided.TYPE, ApprovalDecided.class, Topics.AGENT_COMMANDS);
        register(InterruptRequested.TYPE, InterruptRequested.class, Topics.AGENT_COMMANDS);
        register(StopWorker.TYPE, StopWorker.class, Topics.AGENT_COMMANDS);
        register(
                io.devopsconsole.events.agent.CopyAttachment.TYPE,
                io.devopsconsole.events.agent.CopyAttachment.class,
                Topics.AGENT_COMMANDS);
        register(AgentStreamRecord.TYPE, AgentStreamRecord.class, Topics.AGENT_STREAM);
        register(
                io.devopsconsole.events.agent.RunnerHeartbeat.TYPE,
                io.devopsconsole.events.agent.RunnerHeartbeat.class,
                Topics.AGENT_PRESENCE);
        register(
                io.devopsconsole.events.logs.SessionLogged.TYPE,
                io.devopsconsole.events.logs.SessionLogged.class,
                Topics.SESSION_LOGS);
        register(WorkerStateChanged.TYPE, WorkerStateChanged.class, Topics.AGENT);
        register(TurnStarted.TYPE, TurnStarted.class, Topics.AGENT);
        register(TurnEnded.TYPE, TurnEnded.class, Topics.AGENT);
        register(CommandExecuted.TYPE, CommandExecuted.class, Topics.AGENT);
        register(AuditRecorded.TYPE, AuditRecorded.class, Topics.AUDIT);
    }

    private EventCatalog() {}

    private static void register(String type, Class<? extends DomainEvent> recordClass, String topic) {
        Entry entry = new Entry(type, recordClass, topic);
        BY_TYPE.put(type, entry);
        BY_CLASS.put(recordClass, entry);
    }

    public static Optional<Entry> byType(String type) {
        return Optional.ofNullable(BY_TYPE.get(type));
    }

    public static Entry of(DomainEvent event) {
        Entry entry = BY_CLASS.get(event.getClass());
        if (entry == null) {
            throw new IllegalArgumentException(
                    "event class " + event.getClass().getName() + " is not in the catalogue");
        }
        return entry;
    }

    public static Iterable<Entry> entries() {
        return BY_TYPE.values();
    }
}
