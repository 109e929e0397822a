package io.devopsconsole.events.logs;

import io.devopsconsole.events.DomainEvent;

/**
 * The console's own log records about one session, on {@code console.session.logs.v1} (key = session
 * id): every service ships the records it logs while acting for a session (redacted, bounded), and
 * session-service keeps them per session for admins. Operational detail, not a domain fact: nothing
 * else depends on them and audit does not consume them.
 */
public sealed interface SessionLogEvent extends DomainEvent permits SessionLogged {}
