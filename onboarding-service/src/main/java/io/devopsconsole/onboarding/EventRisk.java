package io.devopsconsole.onboarding;

import io.devopsconsole.events.CloudEventCodec;
import io.devopsconsole.events.DomainEvent;
import io.devopsconsole.events.Risk;
import io.devopsconsole.events.onboarding.CodexAuthSlotChanged;
import io.devopsconsole.events.onboarding.HostKeyTrustConfirmed;
import io.devopsconsole.events.onboarding.OnboardingMilestone;
import io.devopsconsole.events.onboarding.SshKeyStored;
import io.devopsconsole.events.onboarding.TunnelStateObserved;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@link Risk} (the system's one vocabulary) an onboarding event announces (the {@code risk} extension audit records keep), by
 * effect: observations are benign; changing a lab host is elevated; changing production, touching
 * secrets or a changed host key is destructive. A batch carries its highest.
 */
public final class EventRisk {

    private static final Set<String> OBSERVATIONS = Set.of(
            "started",
            "host_key_discovered",
            "probed",
            "readiness_checked",
            "probe_failed",
            "install_not_needed",
            "plan_proposed",
            "cancelled",
            "failed");
    private static final Set<String> READS = Set.of("check", "tooling_check", "status");

    private EventRisk() {}

    public static Map<String, String> of(List<? extends DomainEvent> events, boolean production) {
        Risk highest = Risk.BENIGN;
        for (DomainEvent e : events) {
            highest = highest.max(Risk.values()[level(e, production)]);
        }
        return Map.of(CloudEventCodec.RISK, highest.wire());
    }

    private static int level(DomainEvent e, boolean production) {
        int change = production ? 2 : 1;
        if (e instanceof CodexAuthSlotChanged || e instanceof SshKeyStored) {
            return 2;
        }
        if (e instanceof HostKeyTrustConfirmed) {
            return change;
        }
        if (e instanceof OnboardingMilestone m) {
            if ("host_key_changed".equals(m.milestone())) {
                return 2;
            }
            return OBSERVATIONS.contains(m.milestone()) ? 0 : change;
        }
        if (e instanceof io.devopsconsole.events.onboarding.HostWorkflowChanged w) {
            return switch (w.state()) {
                case "proposed", "rejected", "failed" -> 0;
                default -> change;
            };
        }
        if (e instanceof TunnelStateObserved t) {
            return READS.contains(t.action()) ? 0 : change;
        }
        return 0;
    }
}
