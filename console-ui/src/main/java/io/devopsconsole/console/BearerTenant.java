package io.devopsconsole.console;

import io.quarkus.oidc.TenantResolver;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Which sign-in a request uses. A request carrying {@code Authorization: Bearer} (the {@code devops} CLI,
 * a script with an automation token) is verified as a bearer access token by the {@value #TENANT}
 * tenant — the same rules as every service (ADR 0017: our audience, typ Bearer, realm roles) — and
 * never gets a session cookie or a redirect; everything else is the browser's authorization-code login.
 */
@ApplicationScoped
public class BearerTenant implements TenantResolver {

    static final String TENANT = "bearer";

    @Override
    public String resolve(RoutingContext context) {
        return isBearer(context) ? TENANT : null;
    }

    /** The request authenticates with a token of its own, not with the browser's session cookie. */
    static boolean isBearer(RoutingContext context) {
        String authorization = context.request().getHeader("Authorization");
        return authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7);
    }
}
