package io.devopsconsole.audit.record;

import io.devopsconsole.events.DomainEvent;
import io.devopsconsole.events.EventEnvelope;
import io.devopsconsole.events.agent.CommandExecuted;
import io.devopsconsole.events.agent.TurnEnded;
import io.devopsconsole.events.agent.TurnStarted;
import io.devopsconsole.events.agent.WorkerStateChanged;
import io.devopsconsole.events.onboarding.CodexReadinessObserved;
import io.devopsconsole.events.onboarding.HostKeyTrustConfirmed;
import io.devopsconsole.events.registry.CodexStatusChanged;
import io.devopsconsole.events.registry.HostKeyTrusted;
import io.devopsconsole.events.registry.NetworkRuleCreated;
import io.devopsconsole.events.registry.NetworkRuleDeleted;
import io.devopsconsole.events.registry.NetworkRuleUpdated;
import io.devopsconsole.events.registry.ProjectArchived;
import io.devopsconsole.events.registry.ProjectCreated;
import io.devopsconsole.events.registry.ProjectUpdated;
import io.devopsconsole.events.registry.RuntimeProfileCreated;
import io.devopsconsole.events.registry.RuntimeProfileDeleted;
import io.devopsconsole.events.registry.RuntimeProfileUpdated;
import io.devopsconsole.events.registry.SiteCreated;
import io.devopsconsole.events.registry.SiteDeleted;
import io.devopsconsole.events.registry.SiteUpdated;
import io.devopsconsole.events.registry.TargetRegistered;
import io.devopsconsole.events.registry.TargetRemoved;
import io.devopsconsole.events.registry.TargetRenamed;
import io.devopsconsole.events.registry.TargetRetired;
import io.devopsconsole.events.registry.TargetState;
import io.devopsconsole.events.registry.TargetUpdated;
import io.devopsconsole.events.registry.TunnelProfileCreated;
import io.devopsconsole.events.registry.TunnelProfileDeleted;
import io.devopsconsole.events.registry.TunnelProfileUpdated;
import io.devopsconsole.events.session.ApprovalRequested;
import io.devopsconsole.events.session.ApprovalResolved;
import io.devopsconsole.events.session.OperatorMessagePosted;
import io.devopsconsole.events.session.SessionCreated;
import io.devopsconsole.events.session.SessionStateChanged;
import java.util.List;
import java.util.Optional;

/**
 * The operator-facing sentence of each event type. A catalogued type without a sentence here is
 * a build defect ({@code SummariesTest} enumerates the catalogue); at run time such an event is
 * dead-lettered rather than recorded without one.
 */
final class Summaries {

    private Summaries() {}

    /**
     * The sentence, plus where the request came from when a console component made it for the actor
     * (the {@code via} extension: "— through the coordinator, conversation …").
     */
    static String of(EventEnvelope envelope, Optional<DomainEvent> decoded) {
        String sentence = sentence(envelope, decoded);
        String via = envelope.extensions().get(io.devopsconsole.platform.security.Via.EXTENSION);
        if (via == null
                || !via.startsWith("coordinator:")
                || decoded.filter(e -> e instanceof io.devopsconsole.events.session.CoordinatorToolCalled
                                || e instanceof io.devopsconsole.events.session.CoordinatorProposalDecided)
                        .isPresent()) {
            return sentence;
        }
        return sentence + " — through the coordinator, conversation " + via.substring("coordinator:".length());
    }

    private static String sentence(EventEnvelope envelope, Optional<DomainEvent> decoded) {
        String who = envelope.actor();
        if (decoded.isEmpty()) {
            return who + " caused " + envelope.type() + " on " + envelope.subject();
        }
        DomainEvent event = decoded.get();
        if (event instanceof ProjectCreated e) {
            return who + " created project " + e.slug() + " (\"" + e.name() + "\") working in "
                    + e.defaultWorkingDirectory();
        }
        if (event instanceof ProjectUpdated e) {
            return who + " changed " + fields(e.changedFields()) + " of project " + e.slug();
        }
        if (event instanceof ProjectArchived e) {
            return who + " archived project " + e.slug();
        }
        if (event instanceof SiteCreated e) {
            return who + " added site " + e.name();
        }
        if (event instanceof SiteUpdated e) {
            return who + " changed " + fields(e.changedFields()) + " of site " + e.name();
        }
        if (event instanceof SiteDeleted e) {
            return who + " deleted site " + e.name();
        }
        if (event instanceof NetworkRuleCreated e) {
            return who + " added network rule " + e.cidr() + " (" + e.accessPath() + ")";
        }
        if (event instanceof NetworkRuleUpdated e) {
            return who + " changed " + fields(e.changedFields()) + " of network rule " + e.cidr();
        }
        if (event instanceof NetworkRuleDeleted e) {
            return who + " deleted network rule " + e.cidr();
        }
        if (event instanceof TunnelProfileCreated e) {
            return who + " added tunnel profile " + e.tunnel().name() + " (interface "
                    + e.tunnel().interfaceName() + ")";
        }
        if (event instanceof TunnelProfileUpdated e) {
            return who + " changed " + fields(e.changedFields()) + " of tunnel profile "
                    + e.tunnel().name() + " (now " + e.tunnel().operationalState() + ")";
        }
        if (event instanceof TunnelProfileDeleted e) {
            return who + " deleted tunnel profile " + e.tunnel().name();
        }
        if (event instanceof TargetRegistered e) {
            return who + " registered " + target(e.target()) + " at "
                    + e.target().username() + "@" + e.target().host() + ":"
                    + e.target().port();
        }
        if (event instanceof TargetRenamed e) {
            return who + " renamed " + e.environment() + " target " + e.previousName() + " to " + e.name();
        }
        if (event instanceof TargetUpdated e) {
            return who + " changed " + fields(e.changedFields()) + " of " + target(e.target());
        }
        if (event instanceof TargetRetired e) {
            return who + " retired " + e.environment() + " target " + e.name();
        }
        if (event instanceof TargetRemoved e) {
            return who + " removed " + target(e.target()) + (e.reason() == null ? "" : " (" + e.reason() + ")");
        }
        if (event instanceof HostKeyTrusted e) {
            return who + " trusted host key " + e.fingerprintSha256() + " (" + e.keyType() + ") for target " + e.name()
                    + " via " + e.source();
        }
        if (event instanceof CodexStatusChanged e) {
            return "Codex status of target " + e.name() + " changed from " + e.previousStatus() + " to " + e.status();
        }
        if (event instanceof RuntimeProfileCreated e) {
            return who + " created the runtime profile of project "
                    + e.profile().projectId() + " with "
                    + e.profile().bindings().size() + " target binding(s)";
        }
        if (event instanceof RuntimeProfileUpdated e) {
            return who + " changed " + fields(e.changedFields()) + " of the runtime profile of project "
                    + e.profile().projectId();
        }
        if (event instanceof RuntimeProfileDeleted e) {
            return who + " deleted the runtime profile of project "
                    + e.profile().projectId();
        }
        if (event instanceof HostKeyTrustConfirmed e) {
            return who + " confirmed trust in host key " + e.fingerprintSha256() + " of target " + e.targetId();
        }
        if (event instanceof io.devopsconsole.events.onboarding.OnboardingMilestone e) {
            return "onboarding of " + e.targetName() + ": " + e.milestone().replace('_', ' ') + " (run " + e.runId()
                    + ", now " + e.state() + ", by " + who + ")" + (e.detail() == null ? "" : ": " + e.detail());
        }
        if (event instanceof io.devopsconsole.events.onboarding.CodexAuthSlotChanged e) {
            return who + " " + e.action().replace('_', ' ') + " Codex auth slot " + e.slotName()
                    + (e.targetId() == null ? "" : " (target " + e.targetId() + ")") + " at secret reference "
                    + e.secretReference() + " v" + e.secretVersion() + (e.detail() == null ? "" : ": " + e.detail());
        }
        if (event instanceof io.devopsconsole.events.onboarding.SshKeyStored e) {
            return who + " " + e.action() + " SSH override key " + e.keyReference()
                    + (e.publicKeyFingerprint() == null
                            ? ""
                            : " (" + e.keyType() + " " + e.publicKeyFingerprint() + ")");
        }
        if (event instanceof io.devopsconsole.events.onboarding.TunnelStateObserved e) {
            return who + " ran WireGuard " + e.action().replace('_', ' ') + " for tunnel " + e.tunnelName()
                    + " on gateway "
                    + e.gatewayTargetId() + ": " + e.outcome() + ", " + e.operationalState()
                    + (e.detail() == null ? "" : " (" + e.detail() + ")");
        }
        if (event instanceof io.devopsconsole.events.onboarding.HostWorkflowChanged e) {
            return e.workflow() + " workflow " + e.workflowId() + " on " + e.targetName() + " (" + e.environment()
                    + "): " + e.state() + " (" + who + ")" + (e.detail() == null ? "" : ": " + e.detail())
                    + (e.resultUrl() == null ? "" : " → " + e.resultUrl());
        }
        if (event instanceof CodexReadinessObserved e) {
            return "readiness check saw Codex " + e.codexStatus() + " on target " + e.targetId();
        }
        if (event instanceof SessionCreated e) {
            return who + " opened session " + e.sessionId() + " of project " + e.projectId();
        }
        if (event instanceof SessionStateChanged e) {
            return "session " + e.sessionId() + " went from " + e.from() + " to " + e.to()
                    + (e.reason() == null ? "" : " (" + e.reason() + ")");
        }
        if (event instanceof io.devopsconsole.events.session.AttachmentAdded e) {
            return who + " attached " + e.name() + " (" + e.mediaType() + ", " + e.sizeBytes() + " bytes, sha256 "
                    + e.sha256() + ") to session " + e.sessionId();
        }
        if (event instanceof OperatorMessagePosted e) {
            return who + " sent the agent a message of " + e.length() + " characters in session " + e.sessionId();
        }
        if (event instanceof ApprovalRequested e) {
            return "the agent asked for approval (" + e.risk() + ") to " + e.summary() + " in session " + e.sessionId();
        }
        if (event instanceof io.devopsconsole.events.session.CoordinatorToolCalled e) {
            return who + " called " + e.tool() + (e.subject() == null ? "" : " (" + e.subject() + ")")
                    + " through the coordinator (" + e.via() + ", conversation " + e.conversationId() + "): "
                    + e.outcome() + (e.status() == null ? "" : " " + e.status());
        }
        if (event instanceof io.devopsconsole.events.session.CoordinatorProposalDecided e) {
            return who + " " + e.decision() + " the coordinator's proposal to " + e.summary() + " (conversation "
                    + e.conversationId() + ")";
        }
        if (event instanceof ApprovalResolved e) {
            return (e.automatic() ? "the session policy, for " + e.decidedBy() + "," : e.decidedBy()) + " "
                    + e.decision() + " the request to " + e.summary() + " in session " + e.sessionId()
                    + (e.reason() == null ? "" : " (" + e.reason() + ")");
        }
        if (event instanceof WorkerStateChanged e) {
            return "worker of session " + e.sessionId() + " on target " + e.targetName() + " (" + e.workingDirectory()
                    + ", " + e.transport() + ") is " + e.state() + (e.message() == null ? "" : ": " + e.message());
        }
        if (event instanceof TurnStarted e) {
            return "turn " + e.turnId() + " started in session " + e.sessionId() + " for " + e.operator();
        }
        if (event instanceof TurnEnded e) {
            return "turn " + e.turnId() + " of session " + e.sessionId() + " ended " + e.status()
                    + (e.message() == null ? "" : ": " + e.message());
        }
        if (event instanceof CommandExecuted e) {
            return "the agent's command " + e.command() + " in " + e.cwd() + " on target " + e.targetId() + " "
                    + e.status()
                    + (e.exitCode() == null ? "" : " with exit code " + e.exitCode())
                    + (e.approvalRequestId() == null ? "" : " (approval " + e.approvalRequestId() + ")")
                    + " in session " + e.sessionId();
        }
        throw new IllegalStateException(
                "no audit summary for catalogued event " + event.getClass().getName());
    }

    private static String target(TargetState t) {
        return t.environment() + " target " + t.name();
    }

    private static String fields(List<String> changed) {
        return String.join(", ", changed);
    }

    /** "io.devopsconsole.registry.project.created.v1" → "project.created". */
    static String action(String type) {
        String[] parts = type.split("\\.");
        return parts.length >= 4 ? parts[parts.length - 3] + "." + parts[parts.length - 2] : type;
    }

    /** "io.devopsconsole.registry.project.created.v1" → "project". */
    static String resourceType(String type) {
        String[] parts = type.split("\\.");
        return parts.length >= 4 ? parts[parts.length - 3] : "unknown";
    }
}
