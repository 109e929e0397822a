package io.devopsconsole.console;

import io.quarkus.security.identity.SecurityIdentity;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * CSRF protection for state-changing calls, bound to the login session: the token is an HMAC of the
 * session (the ID token's {@code sid}, else its subject and {@code auth_time}) under the console's
 * session secret, so a token from another session — or any cookie/header pair an attacker sets to
 * equal values — is refused. {@code /auth/me} returns it (and sets it in the {@value #COOKIE} cookie,
 * same-site strict, for the SPA); every POST/PUT/PATCH/DELETE through the proxy must carry it in
 * {@value #HEADER}. A cross-site page can make the browser send cookies but cannot read the token.
 * Every replica computes the same token from the same secret.
 */
@ApplicationScoped
public class Csrf {

    public static final String COOKIE = "devops-csrf";
    public static final String HEADER = "X-CSRF-Token";
    private static final Set<String> SAFE = Set.of("GET", "HEAD", "OPTIONS");

    private final byte[] key;

    public Csrf(
            @ConfigProperty(name = "quarkus.oidc.token-state-manager.encryption-secret") Optional<String> sessionSecret,
            @ConfigProperty(name = "quarkus.oidc.credentials.secret") Optional<String> clientSecret) {
        String secret = sessionSecret
                .filter(s -> !s.isBlank())
                .or(() -> clientSecret.filter(s -> !s.isBlank()))
                .orElse(null);
        if (secret != null) {
            this.key = ("devops-console-csrf:" + secret).getBytes(StandardCharsets.UTF_8);
        } else {
            byte[] random = new byte[32]; // one replica only: no shared secret configured
            new SecureRandom().nextBytes(random);
            this.key = random;
        }
    }

    /** The session's token (also set as a cookie for the SPA). */
    public String issue(RoutingContext ctx, SecurityIdentity who) {
        String token = token(who);
        if (BearerTenant.isBearer(ctx)) {
            return token; // no cookie for a client that signs each request itself
        }
        Cookie existing = ctx.request().getCookie(COOKIE);
        if (existing == null || !existing.getValue().equals(token)) {
            ctx.response()
                    .addCookie(Cookie.cookie(COOKIE, token)
                            .setPath("/")
                            .setSameSite(CookieSameSite.STRICT)
                            .setHttpOnly(false)
                            .setSecure(ctx.request().isSSL()));
        }
        return token;
    }

    /**
     * True for safe methods, for a request that brought its own bearer token (a browser never adds one
     * to a cross-site request, so there is no ambient credential to forge with), or when the header
     * carries this session's token.
     */
    public boolean allowed(RoutingContext ctx, SecurityIdentity who) {
        if (SAFE.contains(ctx.request().method().name()) || BearerTenant.isBearer(ctx)) {
            return true;
        }
        String header = ctx.request().getHeader(HEADER);
        return header != null
                && MessageDigest.isEqual(
                        token(who).getBytes(StandardCharsets.UTF_8), header.getBytes(StandardCharsets.UTF_8));
    }

    String token(SecurityIdentity who) {
        String binding = binding(who);
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return Base64.getUrlEncoder()
                    .withoutPadding()
                    .encodeToString(mac.doFinal(binding.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException(e);
        }
    }

    /** What identifies the login session: stable across token refreshes, different for every login. */
    private static String binding(SecurityIdentity who) {
        if (who.getPrincipal() instanceof JsonWebToken jwt) {
            Object sid = jwt.getClaim("sid");
            if (sid != null && !sid.toString().isBlank()) {
                return "sid:" + sid;
            }
            Object authTime = jwt.getClaim("auth_time");
            return "sub:" + jwt.getSubject() + "|auth_time:" + (authTime == null ? jwt.getIssuedAtTime() : authTime);
        }
        return "name:" + who.getPrincipal().getName();
    }
}
