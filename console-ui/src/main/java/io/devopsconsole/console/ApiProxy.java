package io.devopsconsole.console;

import io.quarkus.oidc.AccessTokenCredential;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.vertx.http.runtime.security.QuarkusHttpUser;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import org.jboss.logging.Logger;

/**
 * The backend-for-frontend's API side. {@code /api/**} goes to the owning service ({@link Routes})
 * with the operator's own access token, which never leaves the server (the browser holds only the
 * encrypted session cookie); request and response bodies are piped, never buffered, so SSE streams
 * pass through as they are written. State-changing calls need the CSRF header ({@link Csrf}).
 * {@code /auth/me} tells the SPA who is logged in, with which roles, and the CSRF token.
 */
@ApplicationScoped
public class ApiProxy {

    private static final Logger LOG = Logger.getLogger(ApiProxy.class);
    private static final List<CharSequence> REQUEST_HEADERS =
            List.of(HttpHeaders.CONTENT_TYPE, HttpHeaders.ACCEPT, HttpHeaders.ACCEPT_LANGUAGE, "Last-Event-ID");
    private static final List<CharSequence> RESPONSE_HEADERS = List.of(
            HttpHeaders.CONTENT_TYPE,
            HttpHeaders.CACHE_CONTROL,
            HttpHeaders.LOCATION,
            HttpHeaders.ETAG,
            "X-Accel-Buffering",
            HttpHeaders.CONTENT_DISPOSITION);

    private final Routes routes;
    private final HttpClient client;
    private final HttpClient streams;
    private final Csrf csrf;
    private final int maxStreamsPerUser;
    private final java.util.concurrent.ConcurrentHashMap<String, java.util.concurrent.atomic.AtomicInteger> open =
            new java.util.concurrent.ConcurrentHashMap<>();

    public ApiProxy(Routes routes, Vertx vertx, Csrf csrf, ConsoleConfig config) {
        this.routes = routes;
        this.csrf = csrf;
        this.maxStreamsPerUser = config.maxStreamsPerUser();
        // API calls: a pooled client whose idle connections are let go after 30 s
        this.client = vertx.createHttpClient(new HttpClientOptions()
                .setKeepAlive(true)
                .setMaxPoolSize(200)
                .setKeepAliveTimeout(30)
                .setIdleTimeout(120)
                .setConnectTimeout(5000));
        // event streams: a connection of their own each, closed with the stream, so no number of streams
        // can take the connections other users' API calls need, nor leave idle ones behind
        this.streams = vertx.createHttpClient(new HttpClientOptions()
                .setKeepAlive(false)
                .setMaxPoolSize(10_000)
                .setConnectTimeout(5000));
    }

    static boolean isStream(RoutingContext ctx) {
        String accept = ctx.request().getHeader(HttpHeaders.ACCEPT);
        return ctx.request().path().endsWith("/stream") || (accept != null && accept.contains("text/event-stream"));
    }

    void routes(@Observes Router router) {
        router.get("/auth/me").handler(this::me);
        // a browser sent here without a session logs in first (the path needs one); then it goes to the SPA
        router.get("/auth/login").handler(ctx -> ctx.redirect("/"));
        router.route("/api/*").handler(this::proxy);
    }

    private static Optional<SecurityIdentity> identity(RoutingContext ctx) {
        return ctx.user() instanceof QuarkusHttpUser user
                        && !user.getSecurityIdentity().isAnonymous()
                ? Optional.of(user.getSecurityIdentity())
                : Optional.empty();
    }

    private void me(RoutingContext ctx) {
        Optional<SecurityIdentity> who = identity(ctx);
        if (who.isEmpty()) {
            problem(ctx, 401, "log in first");
            return;
        }
        String token = csrf.issue(ctx, who.get());
        JsonObject body = new JsonObject()
                .put("name", who.get().getPrincipal().getName())
                .put("roles", new JsonArray(List.copyOf(new TreeSet<>(who.get().getRoles()))))
                .put("csrf_token", token);
        ctx.response()
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
                .end(body.encode());
    }

    private void proxy(RoutingContext ctx) {
        Optional<SecurityIdentity> who = identity(ctx);
        if (who.isEmpty()) {
            problem(ctx, 401, "log in first");
            return;
        }
        Optional<String> owner = routes.owner(ctx.request().path());
        if (owner.isEmpty()) {
            problem(ctx, 404, "no service answers " + ctx.request().path());
            return;
        }
        if (!csrf.allowed(ctx, who.get())) {
            problem(ctx, 403, "missing or wrong " + Csrf.HEADER + " header (read it from /auth/me)");
            return;
        }
        AccessTokenCredential token = who.get().getCredential(AccessTokenCredential.class);
        if (token == null) {
            problem(ctx, 401, "the session has no access token; log in again");
            return;
        }
        ctx.request().pause();
        // path and query only: a request in absolute form (GET http://elsewhere/api/...) names the same path here
        String query = ctx.request().query();
        RequestOptions options = new RequestOptions()
                .setMethod(ctx.request().method())
                .setAbsoluteURI(owner.get() + ctx.request().path() + (query == null ? "" : "?" + query));
        MultiMap in = ctx.request().headers();
        for (CharSequence h : REQUEST_HEADERS) {
            if (in.contains(h)) {
                options.putHeader(h, in.get(h));
            }
        }
        options.putHeader(HttpHeaders.AUTHORIZATION, "Bearer " + token.getToken());
        // the service continues this request's trace (a no-op while tracing is off)
        io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator.getInstance()
                .inject(io.opentelemetry.context.Context.current(), options, (o, k, v) -> o.putHeader(k, v));
        HttpClient upstream = client;
        if (isStream(ctx)) {
            String user = who.get().getPrincipal().getName();
            java.util.concurrent.atomic.AtomicInteger mine =
                    open.computeIfAbsent(user, k -> new java.util.concurrent.atomic.AtomicInteger());
            if (mine.incrementAndGet() > maxStreamsPerUser) {
                mine.decrementAndGet();
                ctx.request().resume();
                LOG.infof("stream refused for %s: %d open already", user, maxStreamsPerUser);
                problem(
                        ctx,
                        429,
                        "too many open event streams (" + maxStreamsPerUser + ") for " + user
                                + "; close a session view first");
                return;
            }
            java.util.concurrent.atomic.AtomicBoolean released = new java.util.concurrent.atomic.AtomicBoolean();
            Runnable release = () -> {
                if (released.compareAndSet(false, true)) {
                    mine.decrementAndGet();
                }
            };
            ctx.response().endHandler(v -> release.run());
            ctx.response().closeHandler(v -> release.run());
            ctx.addEndHandler(v -> release.run());
            upstream = streams;
        }
        upstream.request(options)
                .onSuccess(request -> {
                    // a browser that goes away ends the upstream call too (an SSE stream would otherwise stay open)
                    ctx.response().closeHandler(v -> request.reset());
                    request.send(ctx.request())
                            .onSuccess(response -> relay(ctx, response))
                            .onFailure(f -> upstreamFailed(ctx, f));
                })
                .onFailure(f -> upstreamFailed(ctx, f));
    }

    private static void relay(RoutingContext ctx, HttpClientResponse response) {
        HttpServerResponse out = ctx.response();
        if (out.closed()) {
            response.request().reset();
            return;
        }
        out.setStatusCode(response.statusCode());
        for (CharSequence h : RESPONSE_HEADERS) {
            String v = response.getHeader(h);
            if (v != null) {
                out.putHeader(h, h == HttpHeaders.LOCATION ? browserLocation(v) : v);
            }
        }
        String type = response.getHeader(HttpHeaders.CONTENT_TYPE);
        if (type != null && type.startsWith("text/event-stream")) {
            out.setChunked(true);
            out.putHeader("X-Accel-Buffering", "no");
        } else if (response.getHeader(HttpHeaders.CONTENT_LENGTH) != null) {
            out.putHeader(HttpHeaders.CONTENT_LENGTH, response.getHeader(HttpHeaders.CONTENT_LENGTH));
        } else {
            out.setChunked(true);
        }
        response.pipeTo(out);
    }

    /**
     * A service's Location names its own internal address (http://127.0.0.1:8081/api/...): the browser
     * gets the same path on the console's origin, never the internal host.
     */
    static String browserLocation(String location) {
        try {
            java.net.URI uri = java.net.URI.create(location);
            if (!uri.isAbsolute()) {
                return location;
            }
            String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
            return uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();
        } catch (IllegalArgumentException e) {
            return "/";
        }
    }

    private static void upstreamFailed(RoutingContext ctx, Throwable f) {
        LOG.warnf("upstream call for %s failed: %s", ctx.request().path(), f.getMessage());
        if (!ctx.response().headWritten()) {
            problem(ctx, 502, "the service behind " + ctx.request().path() + " did not answer");
        } else {
            ctx.response().reset();
        }
    }

    static void problem(RoutingContext ctx, int status, String detail) {
        JsonObject body = new JsonObject()
                .put("type", "about:blank")
                .put("status", status)
                .put("detail", detail)
                .put(
                        "title",
                        switch (status) {
                            case 401 -> "Unauthorized";
                            case 403 -> "Forbidden";
                            case 404 -> "Not Found";
                            case 429 -> "Too Many Requests";
                            default -> "Bad Gateway";
                        });
        ctx.response()
                .setStatusCode(status)
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/problem+json")
                .end(body.encode());
    }
}
