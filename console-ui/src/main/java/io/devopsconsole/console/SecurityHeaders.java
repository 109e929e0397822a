package io.devopsconsole.console;

import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Security headers on every answer of the console's origin: a strict Content-Security-Policy the SPA
 * passes (scripts, styles and connections from this origin only, no inline code, no plugins), the
 * console refuses to be framed (CSP frame-ancestors and X-Frame-Options), no MIME sniffing, no
 * referrer leaves the console, and the opener is isolated. The page shell is never cached without
 * revalidation; the content-hashed bundles are.
 */
@ApplicationScoped
public class SecurityHeaders {

    static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
            + " font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none';"
            + " form-action 'self'";

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE + 1).handler(ctx -> {
            ctx.addHeadersEndHandler(v -> {
                var headers = ctx.response().headers();
                headers.set("Content-Security-Policy", CSP);
                headers.set("X-Frame-Options", "DENY");
                headers.set("X-Content-Type-Options", "nosniff");
                headers.set("Referrer-Policy", "no-referrer");
                headers.set("Cross-Origin-Opener-Policy", "same-origin");
                headers.set("Permissions-Policy", "camera=(), microphone=(), geolocation=()");
                // the page shell is revalidated on every load (an upgrade is picked up at once); the
                // bundles' names carry their content hash, so they may be kept for a year
                String path = ctx.normalizedPath();
                if (path.equals("/") || path.equals("/index.html")) {
                    headers.set("Cache-Control", "no-cache");
                } else if (path.startsWith("/assets/") && ctx.response().getStatusCode() == 200) {
                    headers.set("Cache-Control", "public, max-age=31536000, immutable");
                }
            });
            ctx.next();
        });
    }
}
