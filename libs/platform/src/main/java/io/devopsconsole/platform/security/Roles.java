package io.devopsconsole.platform.security;

/**
 * The four roles. Every endpoint names the roles that may call it; health, metrics and OpenAPI
 * are the only open routes. Roles do not imply one another in code: an identity provider grants
 * an admin all four (Keycloak composite roles do this in the shipped realm).
 */
public final class Roles {

    public static final String VIEWER = "viewer";
    public static final String OPERATOR = "operator";
    public static final String APPROVER = "approver";
    public static final String ADMIN = "admin";

    private Roles() {}
}
