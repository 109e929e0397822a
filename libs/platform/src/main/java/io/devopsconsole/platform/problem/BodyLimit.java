package io.devopsconsole.platform.problem;

import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Request limits before anything reads a body: a declared {@code Content-Length} over the body
 * limit is answered 413 problem+json at once (a chunked body over the limit is still cut off by
 * the HTTP layer, with a bare 413); a body that has not fully arrived within
 * {@code devops.http.body-read-timeout} (a client dripping it a byte at a time holds a connection
 * and a request slot for as long as it likes otherwise) is answered 408 problem+json and the
 * connection closed. Both are logged.
 */
@ApplicationScoped
public class BodyLimit {

    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(BodyLimit.class);

    private final long limit;
    private final long readTimeoutMillis;

    public BodyLimit(
            @ConfigProperty(name = "quarkus.http.limits.max-body-size") MemorySize limit,
            io.devopsconsole.platform.outbox.OutboxConfig config) {
        this.limit = limit.asLongValue();
        this.readTimeoutMillis = Math.max(1, config.http().bodyReadTimeout().toMillis());
    }

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).handler(ctx -> {
            String declared = ctx.request().getHeader(HttpHeaders.CONTENT_LENGTH);
            if (hasBody(ctx.request(), declared) && !ctx.request().isEnded()) {
                long timer = ctx.vertx().setTimer(readTimeoutMillis, id -> {
                    if (!ctx.request().isEnded()
                            && !ctx.response().headWritten()
                            && !ctx.response().closed()) {
                        LOG.infof(
                                "%s %s: the request body did not arrive within %d ms; answered 408",
                                ctx.request().method(), ctx.request().path(), readTimeoutMillis);
                        ctx.response()
                                .setStatusCode(408)
                                .putHeader(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE)
                                .putHeader(HttpHeaders.CONNECTION, "close")
                                .end("{\"type\":\"about:blank\",\"title\":\"Request Timeout\",\"status\":408,"
                                        + "\"detail\":\"the request body did not arrive within " + readTimeoutMillis
                                        + " ms\","
                                        + "\"errors\":[{\"field\":\"(body)\",\"message\":\"not received in time\"}]}")
                                .onComplete(done -> ctx.request().connection().close());
                    }
                });
                ctx.addEndHandler(v -> ctx.vertx().cancelTimer(timer));
            }
            if (declared != null && tooLarge(declared)) {
                LOG.infof(
                        "%s %s: declared body of %s bytes is over the %d-byte limit; answered 413",
                        ctx.request().method(), ctx.request().path(), declared.trim(), limit);
                ctx.response()
                        .setStatusCode(413)
                        .putHeader(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE)
                        .putHeader(HttpHeaders.CONNECTION, "close")
                        .end("{\"type\":\"about:blank\",\"title\":\"Content Too Large\",\"status\":413,"
                                + "\"detail\":\"the request body exceeds " + limit + " bytes\","
                                + "\"errors\":[{\"field\":\"(body)\",\"message\":\"larger than " + limit
                                + " bytes\"}]}");
                return;
            }
            ctx.next();
        });
    }

    private static boolean hasBody(io.vertx.core.http.HttpServerRequest request, String declared) {
        if (declared != null) {
            return !declared.trim().equals("0");
        }
        String encoding = request.getHeader(HttpHeaders.TRANSFER_ENCODING);
        return encoding != null && encoding.toLowerCase(java.util.Locale.ROOT).contains("chunked");
    }

    private boolean tooLarge(String declared) {
        try {
            return Long.parseLong(declared.trim()) > limit;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
