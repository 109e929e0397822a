package io.devopsconsole.platform.secrets;

import io.smallrye.mutiny.Uni;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where secrets live (SSH private keys, Codex auth material, WireGuard keys): rows, events, logs,
 * API responses and audit records hold a {@link SecretRef reference} only, never the material.
 * A secret is a small map of named values, written as a whole (each write is a new version).
 * Implementations: {@link LocalSecretStore} (AES-256-GCM in PostgreSQL, key file outside the
 * repository: the embedded default) and a Vault KV v2 one for production.
 */
public interface SecretStore {

    /** Stores the secret (a new version when one exists); returns the version written. */
    Uni<Integer> put(SecretRef ref, Map<String, String> values);

    /** The newest version's values, or empty when there is no such secret. */
    Uni<Optional<Map<String, String>>> get(SecretRef ref);

    /** Deletes every version; false when there was nothing. */
    Uni<Boolean> delete(SecretRef ref);

    /** The references stored under a prefix (the values are not read). */
    Uni<List<SecretRef>> list(String prefix);
}
