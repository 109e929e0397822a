package io.devopsconsole.platform.ssh;

import com.jcraft.jsch.JSch;
import com.jcraft.jsch.JSchException;
import io.devopsconsole.platform.secrets.SecretRef;
import io.devopsconsole.platform.secrets.SecretStore;
import io.devopsconsole.platform.secrets.SecretsConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * The SSH identity for a target: the control-plane key file, or the target's override key, named
 * by a reference such as {@code local:ssh/targets/web-1} or {@code vault:ssh/targets/web-1} and
 * read from the secret store (value {@value #PRIVATE_KEY}) straight into JSch: the key is never
 * written to disk, logged or kept beyond the connection. The reference's scheme must be the
 * configured store's. Blocking: call from worker threads.
 */
@ApplicationScoped
public class SshIdentities {

    public static final String OVERRIDE = "target_override_key";
    public static final String PRIVATE_KEY = "private_key";
    /** The environment a stored key is for (lab, staging, production): only targets of it may log in with it. */
    public static final String ENVIRONMENT = "environment";

    public static final java.util.Set<String> ENVIRONMENTS = java.util.Set.of("lab", "staging", "production");

    private final SecretStore secrets;
    private final String scheme;

    public SshIdentities(SecretStore secrets, SecretsConfig config) {
        this.secrets = secrets;
        this.scheme = config.store();
    }

    /** The secret a registry key reference names ({@code <scheme>:<path>}), refused when malformed or of another store. */
    /** The part of the secret store SSH keys live in. */
    public static final String NAMESPACE = "ssh/";

    public SecretRef reference(String keyReference) throws IOException {
        int colon = keyReference == null ? -1 : keyReference.indexOf(':');
        if (colon <= 0) {
            throw new IOException("key reference must be '<store>:<path>'");
        }
        if (!keyReference.substring(0, colon).equals(scheme)) {
            throw new IOException("key reference names the '" + keyReference.substring(0, colon)
                    + "' store but this console" + " keeps secrets in '" + scheme + "'");
        }
        String path = keyReference.substring(colon + 1);
        if (!SecretRef.valid(path)) {
            throw new IOException("key reference path must be lower-case segments of a-z 0-9 . _ - separated by /");
        }
        if (!path.startsWith(NAMESPACE)) {
            // SSH keys live under ssh/ only: a key reference can never name (or overwrite) a Codex auth slot
            // or any other secret of the store
            throw new IOException("key reference path must be under " + NAMESPACE + " (like ssh/targets/web-1)");
        }
        return new SecretRef(path);
    }

    /**
     * Adds the identity of target {@code targetName} (of {@code environment}) to {@code jsch}. An
     * override key is used only for a target of the environment it was stored for (ADR 0019): a lab
     * target pointed at a production key is refused here, whatever the registry row says.
     */
    public void addTo(
            JSch jsch,
            Optional<Path> controlPlaneKey,
            String keySource,
            String keyReference,
            String targetName,
            String environment)
            throws IOException {
        try {
            if (OVERRIDE.equals(keySource) && keyReference != null) {
                SecretRef ref = reference(keyReference);
                Map<String, String> values = secrets.get(ref)
                        .await()
                        .atMost(Duration.ofSeconds(15))
                        .orElseThrow(() -> new IOException("override key " + keyReference + " of target " + targetName
                                + " is not in the secret store"));
                String key = values.get(PRIVATE_KEY);
                if (key == null) {
                    throw new IOException("secret " + keyReference + " has no " + PRIVATE_KEY + " value");
                }
                String scope = values.get(ENVIRONMENT);
                if (scope == null) {
                    throw new IOException(
                            "override key " + keyReference + " of target " + targetName + " was stored without"
                                    + " an environment; store it again (POST /api/ssh-keys) naming the environment it is for");
                }
                if (!scope.equals(environment)) {
                    throw new IOException("override key " + keyReference + " is for " + scope + " targets; "
                            + targetName + " is a " + environment + " target and may not log in with it");
                }
                jsch.addIdentity(keyReference, key.getBytes(StandardCharsets.UTF_8), null, null);
                return;
            }
            Path key =
                    controlPlaneKey.orElseThrow(() -> new IOException("no control-plane SSH identity is configured"));
            if (!Files.isReadable(key)) {
                throw new IOException("control-plane identity " + key + " is not readable");
            }
            jsch.addIdentity(key.toString());
        } catch (JSchException e) {
            // JSch's message names the key's problem, never its content
            throw new IOException("the SSH identity of target " + targetName + " cannot be used: " + e.getMessage());
        }
    }
}
