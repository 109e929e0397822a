package io.devopsconsole.session.coordinator;

import io.devopsconsole.platform.problem.ResourceNotFoundException;
import io.devopsconsole.platform.security.CurrentActor;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.container.ContainerRequestContext;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/** Refuses {@link OwnConversation} routes (404) for a caller who has no coordinator conversation yet. */
public class OwnConversationFilter {

    private final Conversations conversations;
    private final CurrentActor actor;

    public OwnConversationFilter(Conversations conversations, CurrentActor actor) {
        this.conversations = conversations;
        this.actor = actor;
    }

    @ServerRequestFilter
    @OwnConversation
    public Uni<Void> ownConversation(ContainerRequestContext request) {
        return actor.name().flatMap(conversations::find).map(found -> {
            Conversations.Conversation c =
                    found.orElseThrow(() -> new ResourceNotFoundException("conversation", "of this operator"));
            request.setProperty(OwnConversation.PROPERTY, c.id());
            return null;
        });
    }
}
