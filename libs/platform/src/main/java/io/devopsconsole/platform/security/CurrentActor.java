package io.devopsconsole.platform.security;

import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Who is acting: the authenticated principal's name, or {@code system:<service>} when the service
 * acts on its own (a consumer, a scheduled job). Stamped on every event.
 */
@ApplicationScoped
public class CurrentActor {

    private final CurrentIdentityAssociation identities;
    private final String systemActor;

    public CurrentActor(
            CurrentIdentityAssociation identities,
            @ConfigProperty(name = "quarkus.application.name") String serviceName) {
        this.identities = identities;
        this.systemActor = "system:" + serviceName;
    }

    public Uni<String> name() {
        return Uni.createFrom()
                .deferred(identities::getDeferredIdentity)
                .map(this::nameOf)
                .onFailure()
                .recoverWithItem(systemActor);
    }

    public String systemActor() {
        return systemActor;
    }

    private String nameOf(SecurityIdentity identity) {
        if (identity == null || identity.isAnonymous() || identity.getPrincipal() == null) {
            return systemActor;
        }
        return identity.getPrincipal().getName();
    }
}
