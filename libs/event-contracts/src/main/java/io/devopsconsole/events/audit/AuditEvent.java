package io.devopsconsole.events.audit;

import io.devopsconsole.events.DomainEvent;

/** What audit-service publishes on {@code console.audit.v1} for outside consumers (SIEM, notifications). */
public sealed interface AuditEvent extends DomainEvent permits AuditRecorded {}
