package io.devopsconsole.platform.secrets;

import io.quarkus.vault.client.VaultClientException;
import io.quarkus.vault.client.api.secrets.kv2.VaultSecretsKV2;
import io.quarkus.vault.client.api.secrets.kv2.VaultSecretsKV2ReadSecretData;
import io.smallrye.mutiny.Uni;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * Secrets in a Vault KV version 2 engine (quarkus-vault's client): a reference {@code a/b} is the
 * KV path {@code <prefix>/a/b} under the configured mount. Vault keeps the versions; a write
 * returns the version Vault assigned. Errors are reported by status and path, never with a body
 * (a body could echo material).
 */
public final class VaultSecretStore implements SecretStore {

    private final VaultSecretsKV2 kv;
    private final String prefix;

    public VaultSecretStore(VaultSecretsKV2 kv, String prefix) {
        if (prefix != null && !prefix.isEmpty() && !SecretRef.valid(prefix)) {
            throw new IllegalArgumentException("devops.secrets.vault.prefix must be a safe path like 'devops-console'");
        }
        this.kv = kv;
        this.prefix = prefix == null || prefix.isEmpty() ? "" : prefix + "/";
    }

    @Override
    public Uni<Integer> put(SecretRef ref, Map<String, String> values) {
        Map<String, Object> data = new LinkedHashMap<>(values);
        // Vault answers a write with the new version's metadata at the top of "data", which the client's
        // read-shaped result does not carry: the version comes from the secret's metadata instead
        return call("write", ref.path(), () -> kv.updateSecret(path(ref), null, data))
                .flatMap(written ->
                        written.getMetadata() != null && written.getMetadata().getVersion() != null
                                ? Uni.createFrom().item(written.getMetadata().getVersion())
                                : call("read metadata", ref.path(), () -> kv.readSecretMetadata(path(ref)))
                                        .map(meta -> meta.getCurrentVersion()));
    }

    @Override
    public Uni<Optional<Map<String, String>>> get(SecretRef ref) {
        return call("read", ref.path(), () -> kv.readSecret(path(ref)))
                .map(read -> Optional.of(strings(read)))
                .onFailure(VaultSecretStore::notFound)
                .recoverWithItem(Optional.empty());
    }

    @Override
    public Uni<Boolean> delete(SecretRef ref) {
        return call("delete", ref.path(), () -> kv.deleteSecretMetadata(path(ref)))
                .replaceWith(true)
                .onFailure(VaultSecretStore::notFound)
                .recoverWithItem(false);
    }

    @Override
    public Uni<List<SecretRef>> list(String under) {
        String folder = under == null || under.isEmpty() ? "" : under.endsWith("/") ? under : under + "/";
        if (!folder.isEmpty() && !SecretRef.valid(folder.substring(0, folder.length() - 1))) {
            return Uni.createFrom().failure(new IllegalArgumentException("secret prefix is not a safe path"));
        }
        // KV lists one folder level; walk the folders below
        return call("list", folder, () -> kv.listSecrets(prefix + folder))
                .onFailure(VaultSecretStore::notFound)
                .recoverWithItem(List.of())
                .flatMap(keys -> {
                    List<SecretRef> leaves = new ArrayList<>();
                    Uni<Void> chain = Uni.createFrom().voidItem();
                    for (String key : keys) {
                        if (key.endsWith("/")) {
                            String sub = folder + key.substring(0, key.length() - 1);
                            chain = chain.flatMap(
                                    v -> list(sub).invoke(leaves::addAll).replaceWithVoid());
                        } else if (SecretRef.valid(folder + key)) {
                            leaves.add(new SecretRef(folder + key));
                        }
                    }
                    return chain.map(v -> {
                        leaves.sort(java.util.Comparator.comparing(SecretRef::path));
                        return leaves;
                    });
                });
    }

    private String path(SecretRef ref) {
        return prefix + ref.path();
    }

    private static Map<String, String> strings(VaultSecretsKV2ReadSecretData read) {
        Map<String, String> out = new LinkedHashMap<>();
        if (read.getData() != null) {
            read.getData().forEach((k, v) -> out.put(k, v == null ? null : v.toString()));
        }
        return out;
    }

    private static boolean notFound(Throwable failure) {
        return failure instanceof VaultClientException e && e.getStatus() != null && e.getStatus() == 404;
    }

    private static <T> Uni<T> call(String what, String path, Supplier<CompletionStage<T>> request) {
        return Uni.createFrom()
                .completionStage(request)
                .onFailure(f -> !notFound(f))
                .transform(f -> new SecretStoreException("vault " + what + " of " + path
                        + " failed"
                        + (f instanceof VaultClientException e && e.getStatus() != null
                                ? " (HTTP " + e.getStatus() + ")"
                                : " (" + f.getClass().getSimpleName() + ")")));
    }
}
