package io.devopsconsole.events.onboarding;

import io.devopsconsole.events.DomainEvent;

/** Everything onboarding-service announces on {@code console.onboarding.v1}. */
public sealed interface OnboardingEvent extends DomainEvent
        permits HostKeyTrustConfirmed,
                CodexReadinessObserved,
                OnboardingMilestone,
                CodexAuthSlotChanged,
                TunnelStateObserved,
                SshKeyStored,
                HostWorkflowChanged {}
