package io.devopsconsole.platform.security;

import io.smallrye.common.vertx.ContextLocals;
import io.smallrye.common.vertx.VertxContext;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Through which console component an operator's request came when a console service made it on the
 * operator's behalf with the operator's own token — today only the coordinator chat
 * ({@code coordinator:<conversation id>}). The caller sends {@value #HEADER}; each service keeps the
 * value for the request and the outbox stamps it on the request's events as the {@value #EXTENSION}
 * extension, so the audit record of a target renamed through the chat says so, and in which
 * conversation. It is a label, not a credential: the actor is still the token's subject, the roles
 * still the token's; the console's front door never forwards this header from a browser.
 */
public final class Via {

    public static final String HEADER = "X-Devops-Via";
    public static final String EXTENSION = "via";
    private static final Pattern VALUE =
            Pattern.compile("coordinator:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    private static final String LOCAL = "devops.via";

    private Via() {}

    /** The value for a coordinator conversation. */
    public static String coordinator(java.util.UUID conversation) {
        return "coordinator:" + conversation;
    }

    /** The current request's via, when it came with a well-formed one. */
    public static Optional<String> current() {
        Context context = Vertx.currentContext();
        if (context == null || !VertxContext.isDuplicatedContext(context)) {
            return Optional.empty();
        }
        return ContextLocals.<String>get(LOCAL);
    }

    /** {@code extensions} plus the current request's via, if any. */
    public static Map<String, String> with(Map<String, String> extensions) {
        Optional<String> via = current();
        if (via.isEmpty()) {
            return extensions;
        }
        Map<String, String> out = new LinkedHashMap<>(extensions == null ? Map.of() : extensions);
        out.put(EXTENSION, via.get());
        return out;
    }

    /** Keeps a well-formed header for the request (anything else is ignored: it is only a label). */
    public static class Filter {
        @ServerRequestFilter(preMatching = true)
        public void keep(jakarta.ws.rs.container.ContainerRequestContext request) {
            String value = request.getHeaderString(HEADER);
            Context context = Vertx.currentContext();
            if (value != null
                    && VALUE.matcher(value).matches()
                    && context != null
                    && VertxContext.isDuplicatedContext(context)) {
                ContextLocals.put(LOCAL, value);
            }
        }
    }
}
