package io.devopsconsole.events.registry;

import java.util.UUID;

/** The Codex status of an SSH target changed. */
public record CodexStatusChanged(UUID targetId, String name, String previousStatus, String status, long version)
        implements TargetEvent {

    public static final String TYPE = "io.devopsconsole.registry.target.codex_status_changed.v1";

    @Override
    public String aggregateId() {
        return targetId.toString();
    }

    @Override
    public String resourceType() {
        return "ssh_target";
    }

    @Override
    public String resourceName() {
        return name;
    }
}
