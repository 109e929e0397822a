package io.devopsconsole.onboarding.keys;

import com.jcraft.jsch.JSch;
import com.jcraft.jsch.JSchException;
import com.jcraft.jsch.KeyPair;
import io.devopsconsole.events.onboarding.SshKeyStored;
import io.devopsconsole.platform.outbox.Outbox;
import io.devopsconsole.platform.problem.InvalidFieldException;
import io.devopsconsole.platform.problem.ResourceNotFoundException;
import io.devopsconsole.platform.secrets.SecretRef;
import io.devopsconsole.platform.secrets.SecretStore;
import io.devopsconsole.platform.security.CurrentActor;
import io.devopsconsole.platform.security.Gate;
import io.devopsconsole.platform.security.Roles;
import io.devopsconsole.platform.ssh.SshIdentities;
import io.devopsconsole.platform.validation.HostKeys;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponseSchema;
import org.jboss.resteasy.reactive.RestResponse;

/**
 * Per-target SSH override keys (admin): the private key goes into the secret store under the
 * reference a target names ({@code key_reference}, e.g. {@code local:ssh/targets/web-1}); the
 * answer and the audit event carry the public half's fingerprint and line only.
 */
@Path("/api/ssh-keys")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class SshKeyResource {

    /** {@code environment}: the only environment whose targets may log in with the key (ADR 0019). */
    public record StoreKeyRequest(
            @Size(max = 210) String reference,
            @Size(max = 16384) String privateKey,

            @NotNull @Pattern(regexp = "lab|staging|production", message = "must be lab, staging or production")
            String environment,

            Boolean confirm) {}

    public record KeyView(
            String reference,
            String keyType,
            String publicKey,
            String publicKeyFingerprint,
            int secretVersion,
            String environment) {}

    /** The console's own SSH identity, public half: what a server's authorized_keys needs. */
    public record ControlPlaneKey(
            String keyType, String publicKey, String publicKeyFingerprint, String authorizedKeysLine) {}

    private final SecretStore secrets;
    private final SshIdentities identities;
    private final Pool pool;
    private final Outbox outbox;
    private final CurrentActor actor;
    private final SecurityIdentity identity;

    private final io.devopsconsole.onboarding.OnboardingConfig config;

    public SshKeyResource(
            SecretStore secrets,
            SshIdentities identities,
            Pool pool,
            Outbox outbox,
            CurrentActor actor,
            SecurityIdentity identity,
            io.devopsconsole.onboarding.OnboardingConfig config) {
        this.config = config;
        this.secrets = secrets;
        this.identities = identities;
        this.pool = pool;
        this.outbox = outbox;
        this.actor = actor;
        this.identity = identity;
    }

    /**
     * Stores (or replaces) an unencrypted OpenSSH/PEM private key for the targets of one environment,
     * with {@code confirm: true}.
     */
    @POST
    @RolesAllowed({Roles.ADMIN})
    public Uni<KeyView> store(@Valid @NotNull StoreKeyRequest request) {
        Gate.requireAdmin(identity, request.confirm(), "confirm", "store an SSH private key");
        SecretRef ref = ref(request.reference());
        if (request.privateKey() == null || request.privateKey().isBlank()) {
            throw new InvalidFieldException(
                    "private_key", "give the private key (OpenSSH or PEM, without a passphrase)");
        }
        String type;
        String blob;
        try {
            KeyPair pair = KeyPair.load(new JSch(), request.privateKey().getBytes(StandardCharsets.UTF_8), null);
            if (pair.isEncrypted()) {
                throw new InvalidFieldException(
                        "private_key", "must not be passphrase-protected (the console logs in unattended)");
            }
            ByteArrayOutputStream pub = new ByteArrayOutputStream();
            pair.writePublicKey(pub, "");
            String[] parts = pub.toString(StandardCharsets.UTF_8).trim().split("\\s+");
            type = parts[0];
            blob = parts[1];
            Base64.getDecoder().decode(blob);
        } catch (JSchException | RuntimeException e) {
            if (e instanceof InvalidFieldException invalid) {
                throw invalid;
            }
            throw new InvalidFieldException("private_key", "is not a private key JSch can read");
        }
        String fingerprint = HostKeys.fingerprint(type, blob).orElse(null);
        return secrets.put(
                        ref,
                        Map.of(
                                SshIdentities.PRIVATE_KEY,
                                request.privateKey(),
                                SshIdentities.ENVIRONMENT,
                                request.environment()))
                .flatMap(version -> announce(new SshKeyStored(
                                request.reference(), "stored", type, fingerprint, version, request.environment()))
                        .replaceWith(new KeyView(
                                request.reference(),
                                type,
                                type + " " + blob,
                                fingerprint,
                                version,
                                request.environment())));
    }

    /**
     * The public half of the key the console logs in with (the control-plane identity): the line to put
     * in the login user's {@code ~/.ssh/authorized_keys} on a server before onboarding it. 404 while the
     * console has no identity yet. Never the private half.
     */
    @GET
    @Path("/control-plane")
    @RolesAllowed({Roles.VIEWER, Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN})
    @APIResponseSchema(value = ControlPlaneKey.class, responseCode = "200", responseDescription = "The public key.")
    @APIResponse(responseCode = "404", description = "The console has no SSH identity yet.")
    public ControlPlaneKey controlPlane() {
        java.nio.file.Path file = java.nio.file.Path.of(config.ssh().identityFile());
        try {
            KeyPair pair = KeyPair.load(new JSch(), file.toString());
            ByteArrayOutputStream pub = new ByteArrayOutputStream();
            pair.writePublicKey(pub, "devops-console");
            String line = pub.toString(StandardCharsets.UTF_8).trim();
            String[] parts = line.split("\\s+");
            return new ControlPlaneKey(
                    parts[0],
                    parts[0] + " " + parts[1],
                    HostKeys.fingerprint(parts[0], parts[1]).orElse(null),
                    line);
        } catch (JSchException | RuntimeException e) {
            throw new io.devopsconsole.platform.problem.ResourceNotFoundException(
                    "SSH identity", "of this console (none is configured yet)");
        }
    }

    @DELETE
    @RolesAllowed({Roles.ADMIN})
    @APIResponse(responseCode = "204", description = "Deleted.")
    @APIResponse(responseCode = "404", description = "No key is stored under this reference.")
    public Uni<RestResponse<Void>> delete(
            @QueryParam("reference") @Size(max = 210) String reference, @QueryParam("confirm") Boolean confirm) {
        Gate.requireAdmin(identity, confirm, "confirm", "delete an SSH private key");
        SecretRef ref = ref(reference);
        return secrets.delete(ref)
                .flatMap(deleted -> {
                    if (!deleted) {
                        throw new ResourceNotFoundException("ssh key", reference);
                    }
                    return announce(new SshKeyStored(reference, "deleted", null, null, 0, null));
                })
                .map(v -> RestResponse.noContent());
    }

    private SecretRef ref(String reference) {
        try {
            return identities.reference(reference);
        } catch (IOException e) {
            throw new InvalidFieldException("reference", e.getMessage());
        }
    }

    private Uni<Void> announce(SshKeyStored event) {
        return actor.name()
                .flatMap(who -> pool.withTransaction(c -> outbox.recordAll(
                        c, List.of(event), who, io.devopsconsole.onboarding.EventRisk.of(List.of(event), true))));
    }
}
