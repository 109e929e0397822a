package io.devopsconsole.session.stream;

import io.devopsconsole.platform.problem.ResourceNotFoundException;
import io.devopsconsole.session.session.SessionStore;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.container.ContainerRequestContext;
import java.util.UUID;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/** Refuses requests to {@link KnownSession} routes whose session does not exist (404). */
public class KnownSessionFilter {

    private final SessionStore sessions;

    public KnownSessionFilter(SessionStore sessions) {
        this.sessions = sessions;
    }

    @ServerRequestFilter
    @KnownSession
    public Uni<Void> knownSession(ContainerRequestContext request) {
        String raw = request.getUriInfo().getPathParameters().getFirst("id");
        UUID id;
        try {
            id = UUID.fromString(raw);
        } catch (IllegalArgumentException | NullPointerException e) {
            return Uni.createFrom().failure(new ResourceNotFoundException("session", raw));
        }
        return sessions.get(id).replaceWithVoid();
    }
}
