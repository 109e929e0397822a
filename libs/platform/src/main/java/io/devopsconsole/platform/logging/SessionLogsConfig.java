package io.devopsconsole.platform.logging;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Shipping the records a service logs about sessions (ADR 0031). */
@ConfigMapping(prefix = "devops.session-logs")
public interface SessionLogsConfig {

    /** Ship them (the services that act for sessions turn it on). */
    @WithDefault("false")
    boolean enabled();

    /** The least severe level shipped: DEBUG, INFO, WARN or ERROR. */
    @WithDefault("INFO")
    String level();

    /** Records queued for sending; beyond this new ones are dropped and counted. */
    @WithDefault("4096")
    int queue();

    /** The most characters of a message or an exception (the rest is clipped). */
    @WithDefault("8192")
    int maxChars();
}
