package io.devopsconsole.testkit;

import io.quarkus.test.oidc.server.OidcWiremockTestResource;

import java.util.Set;

/**
 * Signed bearer tokens from the in-process OIDC test server ({@code OidcWiremockTestResource}),
 * verified by the service exactly like provider-issued ones.
 */
public final class Tokens {

    public static final Set<String> ALL_ROLES = Set.of("viewer", "operator", "approver", "admin");

    private Tokens() {
    }

    public static String forRoles(String user, String... roles) {
        return OidcWiremockTestResource.getAccessToken(user, Set.of(roles));
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
}
