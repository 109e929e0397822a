package io.devopsconsole.events.session;

import io.devopsconsole.events.DomainEvent;

/** Everything session-service announces on {@code console.session.v1} (key = session id). */
public sealed interface SessionEvent extends DomainEvent
        permits SessionCreated,
                SessionStateChanged,
                OperatorMessagePosted,
                ApprovalRequested,
                ApprovalResolved,
                CoordinatorToolCalled,
                CoordinatorProposalDecided,
                AttachmentAdded {}
