package io.devopsconsole.console;

import io.quarkus.oidc.JavaScriptRequestChecker;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Which requests without a login are answered 499 instead of a redirect to the sign-in page: the
 * SPA's calls ({@code X-Requested-With: JavaScript}, or {@code XMLHttpRequest}) and event streams
 * ({@code Accept: text/event-stream}). An {@code EventSource} cannot set a header, and a redirect to the
 * identity provider is a cross-origin connection the console's Content-Security-Policy refuses — so a
 * stream whose session ended would reconnect into a policy violation instead of being told to sign in.
 */
@ApplicationScoped
public class ScriptRequests implements JavaScriptRequestChecker {

    @Override
    public boolean isJavaScriptRequest(RoutingContext context) {
        String requestedWith = context.request().getHeader("X-Requested-With");
        if ("JavaScript".equals(requestedWith) || "XMLHttpRequest".equals(requestedWith)) {
            return true;
        }
        String accept = context.request().getHeader("Accept");
        return accept != null && accept.toLowerCase(java.util.Locale.ROOT).contains("text/event-stream");
    }
}
