package io.devopsconsole.events;

/** Kafka topic names. One topic per domain; the key is always the aggregate id. */
public final class Topics {

    public static final String REGISTRY = "console.registry.v1";
    public static final String SESSION = "console.session.v1";
    public static final String ONBOARDING = "console.onboarding.v1";
    public static final String AGENT = "console.agent.v1";
    public static final String AGENT_COMMANDS = "console.agent.commands.v1";
    public static final String AGENT_STREAM = "console.agent.stream.v1";
    /** Runner heartbeats (which runner is alive and drives which sessions); key = runner instance. */
    public static final String AGENT_PRESENCE = "console.agent.presence.v1";

    /** The console's own log records about a session (redacted, bounded); key = session id. */
    public static final String SESSION_LOGS = "console.session.logs.v1";

    public static final String AUDIT = "console.audit.v1";
    /** Records a consumer could not read, with the reason in headers. */
    public static final String DEAD_LETTER = "console.deadletter.v1";

    private Topics() {}
}
