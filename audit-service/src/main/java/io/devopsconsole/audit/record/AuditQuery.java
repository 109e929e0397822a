package io.devopsconsole.audit.record;

import java.time.OffsetDateTime;

/** Filters of an audit search; null means "any". {@code before} is the decoded cursor. */
record AuditQuery(
        String resourceType,
        String resourceId,
        String actor,
        String action,
        String risk,
        String sessionId,
        String text,
        OffsetDateTime from,
        OffsetDateTime to,
        Long before,
        int limit) {}
