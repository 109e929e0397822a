package io.devopsconsole.console;

import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.ext.web.RoutingContext;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Set;

/**
 * Double-submit CSRF protection for state-changing calls: {@code /auth/me} sets a random token in
 * the {@value #COOKIE} cookie (same-site strict, readable by the SPA) and returns it; every
 * POST/PUT/PATCH/DELETE through the proxy must carry it in {@value #HEADER}. A cross-site page
 * can make the browser send the cookie but cannot read it to set the header.
 */
public final class Csrf {

    public static final String COOKIE = "devops-csrf";
    public static final String HEADER = "X-CSRF-Token";
    private static final Set<String> SAFE = Set.of("GET", "HEAD", "OPTIONS");
    private static final SecureRandom RANDOM = new SecureRandom();

    private Csrf() {
    }

    /** The session's token, set as a cookie when the browser has none yet. */
    public static String issue(RoutingContext ctx) {
        Cookie existing = ctx.request().getCookie(COOKIE);
        if (existing != null && existing.getValue().length() == 43) {
            return existing.getValue();
        }
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        ctx.response().addCookie(Cookie.cookie(COOKIE, token).setPath("/").setSameSite(CookieSameSite.STRICT)
                .setHttpOnly(false).setSecure(ctx.request().isSSL()));
        return token;
    }

    /** True for safe methods, or when the header matches the cookie. */
    public static boolean allowed(RoutingContext ctx) {
        if (SAFE.contains(ctx.request().method().name())) {
            return true;
        }
        Cookie cookie = ctx.request().getCookie(COOKIE);
        String header = ctx.request().getHeader(HEADER);
        return cookie != null && header != null && MessageDigest.isEqual(cookie.getValue().getBytes(StandardCharsets.UTF_8),
                header.getBytes(StandardCharsets.UTF_8));
    }
}
