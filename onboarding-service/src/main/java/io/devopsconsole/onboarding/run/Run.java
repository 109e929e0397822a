package io.devopsconsole.onboarding.run;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.OffsetDateTime;
import java.util.Set;
import java.util.UUID;

/** One onboarding run as stored. Changes make a copy ({@code with*}); the store writes it under its version. */
public record Run(
        UUID id,
        String state,
        UUID targetId,
        String targetName,
        String host,
        int port,
        String username,
        String environment,
        UUID siteId,
        String accessPath,
        UUID tunnelProfileId,
        JsonNode intake,
        String presentedKeyType,
        String presentedPublicKey,
        String presentedFingerprint,
        String trustedFingerprint,
        String trustedPublicKey,
        String waitingFor,
        String failure,
        int sshConnections,
        String createdBy,
        OffsetDateTime createdAt,
        OffsetDateTime updatedAt,
        OffsetDateTime finishedAt,
        long version) {

    public static final String INTAKE = "intake";
    public static final String HOST_KEY_PENDING = "host_key_pending";
    public static final String PROBING = "probing";
    public static final String READINESS_CHECKED = "readiness_checked";
    public static final String INSTALL_PLAN_PENDING = "install_plan_pending";
    public static final String INSTALLING = "installing";
    public static final String AUTH_REQUIRED = "installed_but_auth_required";
    public static final String AUTH_PROVISIONING = "auth_provisioning";
    public static final String READY = "ready";
    public static final String FAILED = "failed";
    public static final String CANCELLED = "cancelled";

    public static final Set<String> FINAL = Set.of(READY, FAILED, CANCELLED);
    public static final Set<String> STATES = Set.of(
            INTAKE,
            HOST_KEY_PENDING,
            PROBING,
            READINESS_CHECKED,
            INSTALL_PLAN_PENDING,
            INSTALLING,
            AUTH_REQUIRED,
            AUTH_PROVISIONING,
            READY,
            FAILED,
            CANCELLED);

    public boolean finished() {
        return FINAL.contains(state);
    }

    public boolean production() {
        return "production".equals(environment);
    }

    public Run withState(String newState, String newWaitingFor, String newFailure) {
        return new Run(
                id,
                newState,
                targetId,
                targetName,
                host,
                port,
                username,
                environment,
                siteId,
                accessPath,
                tunnelProfileId,
                intake,
                presentedKeyType,
                presentedPublicKey,
                presentedFingerprint,
                trustedFingerprint,
                trustedPublicKey,
                newWaitingFor,
                newFailure,
                sshConnections,
                createdBy,
                createdAt,
                updatedAt,
                FINAL.contains(newState) ? OffsetDateTime.now() : finishedAt,
                version);
    }

    public Run withTarget(UUID newTargetId) {
        return new Run(
                id,
                state,
                newTargetId,
                targetName,
                host,
                port,
                username,
                environment,
                siteId,
                accessPath,
                tunnelProfileId,
                intake,
                presentedKeyType,
                presentedPublicKey,
                presentedFingerprint,
                trustedFingerprint,
                trustedPublicKey,
                waitingFor,
                failure,
                sshConnections,
                createdBy,
                createdAt,
                updatedAt,
                finishedAt,
                version);
    }

    public Run withPresented(String type, String publicKey, String fingerprint) {
        return new Run(
                id,
                state,
                targetId,
                targetName,
                host,
                port,
                username,
                environment,
                siteId,
                accessPath,
                tunnelProfileId,
                intake,
                type,
                publicKey,
                fingerprint,
                trustedFingerprint,
                trustedPublicKey,
                waitingFor,
                failure,
                sshConnections,
                createdBy,
                createdAt,
                updatedAt,
                finishedAt,
                version);
    }

    public Run withTrusted(String fingerprint, String publicKey) {
        return new Run(
                id,
                state,
                targetId,
                targetName,
                host,
                port,
                username,
                environment,
                siteId,
                accessPath,
                tunnelProfileId,
                intake,
                presentedKeyType,
                presentedPublicKey,
                presentedFingerprint,
                fingerprint,
                publicKey,
                waitingFor,
                failure,
                sshConnections,
                createdBy,
                createdAt,
                updatedAt,
                finishedAt,
                version);
    }

    public Run withConnections(int more) {
        return new Run(
                id,
                state,
                targetId,
                targetName,
                host,
                port,
                username,
                environment,
                siteId,
                accessPath,
                tunnelProfileId,
                intake,
                presentedKeyType,
                presentedPublicKey,
                presentedFingerprint,
                trustedFingerprint,
                trustedPublicKey,
                waitingFor,
                failure,
                sshConnections + more,
                createdBy,
                createdAt,
                updatedAt,
                finishedAt,
                version);
    }
}
