package io.devopsconsole.events.session;

import java.util.UUID;

/**
 * The coordinator called one of the console's operations for an operator, in the operator's name
 * and with the operator's token: which tool, from which conversation, how it was asked
 * ({@code model} or {@code slash}), whether it ran after a confirmation (the proposal's id), and how
 * it ended: {@code outcome} {@code ok}, {@code proposed} (waits for a confirmation), {@code refused}
 * (the API answered 4xx: {@code status} says which, e.g. 403 for a viewer) or {@code failed}.
 * {@code subject} names what the call was about (a target, a run, a project), when it was about one.
 * The tool's arguments are not carried: the API the tool called records what changed.
 */
public record CoordinatorToolCalled(
        UUID conversationId,
        String tool,
        String via,
        String subject,
        String outcome,
        Integer status,
        UUID proposalId,
        String detail)
        implements SessionEvent {

    public static final String TYPE = "io.devopsconsole.session.coordinator_tool.called.v1";

    @Override
    public String aggregateId() {
        return conversationId.toString();
    }

    @Override
    public String resourceType() {
        return "coordinator_conversation";
    }

    @Override
    public String resourceName() {
        return tool + (subject == null ? "" : " " + subject);
    }
}
