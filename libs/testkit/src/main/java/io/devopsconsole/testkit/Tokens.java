package io.devopsconsole.testkit;

import io.smallrye.jwt.build.Jwt;
import io.smallrye.jwt.build.JwtClaimsBuilder;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Signed tokens shaped like the ones Keycloak issues, signed with the key the in-process OIDC test
 * server ({@code OidcWiremockTestResource}) publishes, so the services verify them exactly like
 * provider-issued ones. An accepted access token carries our audience ({@value #AUDIENCE}), type
 * {@code Bearer} and the roles as realm roles ({@code realm_access.roles}); the other factories make
 * the tokens a service must refuse or treat as role-less.
 */
public final class Tokens {

    public static final Set<String> ALL_ROLES = Set.of("viewer", "operator", "approver", "admin");
    /** The audience every service requires; the realm's console and automation clients add it to their access tokens. */
    public static final String AUDIENCE = "devops-services";

    private static final String ISSUER = "https://server.example.com";

    private Tokens() {}

    public static String forRoles(String user, String... roles) {
        return base(user, Instant.now().plusSeconds(300))
                .claim("realm_access", Map.of("roles", List.of(roles)))
                .sign();
    }

    public static String viewer() {
        return forRoles("vera-viewer", "viewer");
    }

    public static String operator() {
        return forRoles("olga-operator", "operator");
    }

    public static String approver() {
        return forRoles("abe-approver", "approver");
    }

    public static String admin() {
        return forRoles("ada-admin", "admin", "approver", "operator", "viewer");
    }

    /** A valid token that carries none of the four roles. */
    public static String noRole() {
        return forRoles("nobody", "unrelated");
    }

    /** Every role, but only as identity-provider groups (a Keycloak group named "admin"): no role at all for us. */
    public static String rolesOnlyAsGroups() {
        return base("grace-groups", Instant.now().plusSeconds(300))
                .groups(ALL_ROLES)
                .sign();
    }

    /** Every role, but as roles of a client (here the one named like the services): no role at all for us. */
    public static String rolesOnlyAsClientRoles() {
        return base("cody-client", Instant.now().plusSeconds(300))
                .claim(
                        "resource_access",
                        Map.of(
                                AUDIENCE,
                                Map.of("roles", List.copyOf(ALL_ROLES)),
                                "devops-console",
                                Map.of("roles", List.copyOf(ALL_ROLES))))
                .sign();
    }

    /** An admin's access token issued to another client of the realm (admin-cli): not meant for us. */
    public static String forAnotherClient() {
        return Jwt.issuer(ISSUER)
                .subject(UUID.randomUUID().toString())
                .preferredUserName("ada-admin")
                .audience("account")
                .claim("azp", "admin-cli")
                .claim("typ", "Bearer")
                .claim("realm_access", Map.of("roles", List.copyOf(ALL_ROLES)))
                .expiresAt(Instant.now().plusSeconds(300))
                .jws()
                .keyId("1")
                .sign("privateKey.jwk");
    }

    /** An admin's ID token (type "ID"), even one that names our audience: it proves a login, it is not an access token. */
    public static String idToken() {
        return base("ada-admin", Instant.now().plusSeconds(300))
                .claim("typ", "ID")
                .claim("realm_access", Map.of("roles", List.copyOf(ALL_ROLES)))
                .sign();
    }

    /** An admin's access token whose lifespan has passed — all a user disabled since holds. */
    public static String expired() {
        return base("ada-admin", Instant.now().minusSeconds(30))
                .issuedAt(Instant.now().minusSeconds(150))
                .claim("realm_access", Map.of("roles", List.copyOf(ALL_ROLES)))
                .sign();
    }

    private static Builder base(String user, Instant expiry) {
        return new Builder(Jwt.issuer(ISSUER)
                .subject(UUID.nameUUIDFromBytes(user.getBytes()).toString())
                .preferredUserName(user)
                .audience(AUDIENCE)
                .claim("azp", "devops-console")
                .claim("typ", "Bearer")
                .claim("sid", UUID.randomUUID().toString())
                .expiresAt(expiry));
    }

    private record Builder(JwtClaimsBuilder claims) {
        Builder claim(String name, Object value) {
            claims.claim(name, value);
            return this;
        }

        Builder groups(Set<String> groups) {
            claims.groups(groups);
            return this;
        }

        Builder issuedAt(Instant at) {
            claims.issuedAt(at);
            return this;
        }

        String sign() {
            return claims.jws().keyId("1").sign("privateKey.jwk");
        }
    }
}
