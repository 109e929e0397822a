package io.devopsconsole.events.agent;

import java.util.UUID;

/**
 * The agent ran (or was refused) a command on a target: the command line as the app-server
 * reported it (redacted), its directory, {@code status} ({@code completed}, {@code failed},
 * {@code declined}), exit code and duration when it ran, and the approval that let it run.
 */
public record CommandExecuted(
        UUID sessionId,
        UUID targetId,
        String turnId,
        String itemId,
        String command,
        String cwd,
        String status,
        Integer exitCode,
        Long durationMs,
        String approvalRequestId)
        implements AgentLifecycleEvent {

    public static final String TYPE = "io.devopsconsole.agent.command.executed.v1";

    @Override
    public String resourceName() {
        return command == null ? itemId : command;
    }
}
