package io.devopsconsole.registry.messaging;

import io.devopsconsole.events.CloudEventCodec;
import io.devopsconsole.events.DomainEvent;
import io.devopsconsole.events.EventEnvelope;
import io.devopsconsole.events.MalformedEventException;
import io.devopsconsole.events.onboarding.CodexReadinessObserved;
import io.devopsconsole.events.onboarding.HostKeyTrustConfirmed;
import io.devopsconsole.events.onboarding.TunnelStateObserved;
import io.devopsconsole.platform.inbox.ProcessedEvents;
import io.devopsconsole.platform.messaging.DeadLetters;
import io.devopsconsole.platform.messaging.InboundEvents;
import io.devopsconsole.platform.messaging.Poison;
import io.devopsconsole.platform.messaging.Retries;
import io.devopsconsole.registry.target.SshTarget;
import io.devopsconsole.registry.target.TargetService;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Applies onboarding's results to the inventory: a confirmed host key becomes the target's
 * trusted key (HostKeyTrusted), an observed readiness updates its Codex status
 * (CodexStatusChanged), a WireGuard operation updates the tunnel profile's operational state. Idempotent by event id; unreadable records are dead-lettered; database
 * failures are retried in order.
 */
@ApplicationScoped
public class OnboardingResultsConsumer {

    static final String CONSUMER = "registry-service";
    private static final Logger LOG = Logger.getLogger(OnboardingResultsConsumer.class);

    private final TargetService targets;
    private final io.devopsconsole.registry.tunnel.TunnelService tunnels;
    private final ProcessedEvents processed;
    private final DeadLetters deadLetters;

    public OnboardingResultsConsumer(
            TargetService targets,
            io.devopsconsole.registry.tunnel.TunnelService tunnels,
            ProcessedEvents processed,
            DeadLetters deadLetters) {
        this.targets = targets;
        this.tunnels = tunnels;
        this.processed = processed;
        this.deadLetters = deadLetters;
    }

    @Incoming("onboarding-events")
    public Uni<Void> consume(ConsumerRecord<String, byte[]> record) {
        EventEnvelope envelope;
        Optional<DomainEvent> event;
        try {
            envelope = InboundEvents.envelope(record);
            event = CloudEventCodec.decode(envelope);
        } catch (MalformedEventException e) {
            return reject(record, e.getMessage());
        }
        if (event.isEmpty()) {
            LOG.debugf("ignoring onboarding event type %s", envelope.type());
            return Uni.createFrom().voidItem();
        }
        DomainEvent decoded = event.get();
        if (decoded instanceof CodexReadinessObserved observed && parseStatus(observed.codexStatus()) == null) {
            return reject(record, "unknown codex_status '" + observed.codexStatus() + "'");
        }
        if (decoded instanceof TunnelStateObserved observed && operational(observed.operationalState()) == null) {
            return reject(record, "unknown operational_state '" + observed.operationalState() + "'");
        }
        // content the database or this service refuses (ADR 0014) is tried a few times, then dead-lettered
        // so later events go on; anything else (the database away, a lost race) is retried in place
        return Retries.untilStoredOrPoison(
                        "applying onboarding event " + envelope.id(),
                        () -> Panache.withTransaction(() -> processed
                                .claim(CONSUMER, envelope.id())
                                .flatMap(first -> first
                                        ? apply(decoded)
                                        : Uni.createFrom().voidItem())))
                .onFailure(Poison::isPoison)
                .recoverWithUni(f -> {
                    LOG.errorf(
                            "onboarding event %s (%s) cannot be applied, moved to the dead-letter topic: %s",
                            envelope.id(), envelope.type(), Poison.reason(f));
                    return reject(record, "cannot be applied: " + Poison.reason(f));
                });
    }

    private Uni<Void> apply(DomainEvent event) {
        if (event instanceof HostKeyTrustConfirmed e) {
            return targets.trustFromOnboarding(e.targetId(), e.keyType(), e.fingerprintSha256(), e.publicKey());
        }
        if (event instanceof CodexReadinessObserved e) {
            return targets.observeCodexStatus(e.targetId(), parseStatus(e.codexStatus()));
        }
        if (event instanceof TunnelStateObserved e) {
            return tunnels.observeFromOnboarding(
                    e.tunnelProfileId(), operational(e.operationalState()), e.usableForRemoteExecution());
        }
        // Other onboarding events (milestones, auth slots) are for audit, not the inventory.
        return Uni.createFrom().voidItem();
    }

    private Uni<Void> reject(ConsumerRecord<String, byte[]> record, String reason) {
        return deadLetters.send(List.of(new DeadLetters.Rejected(record, reason)));
    }

    private static io.devopsconsole.registry.tunnel.TunnelProfile.OperationalState operational(String state) {
        for (var s : io.devopsconsole.registry.tunnel.TunnelProfile.OperationalState.values()) {
            if (s.name().equals(state)) {
                return s;
            }
        }
        return null;
    }

    private static SshTarget.CodexStatus parseStatus(String status) {
        for (SshTarget.CodexStatus s : SshTarget.CodexStatus.values()) {
            if (s.name().equals(status)) {
                return s;
            }
        }
        return null;
    }
}
