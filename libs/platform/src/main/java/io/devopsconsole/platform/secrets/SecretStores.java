package io.devopsconsole.platform.secrets;

import io.quarkus.vault.client.VaultClient;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The service's {@link SecretStore}, chosen by {@code devops.secrets.store}: {@code local} (the
 * embedded default: AES-256-GCM in PostgreSQL, key file {@code devops.secrets.local.key-file},
 * created mode 600 on first start) or {@code vault} (KV v2 through quarkus-vault; set
 * {@code quarkus.vault.url} and its authentication in that environment).
 */
@ApplicationScoped
public class SecretStores {

    private static final Logger LOG = Logger.getLogger(SecretStores.class);

    @Produces
    @Singleton
    SecretStore secretStore(SecretsConfig config, Instance<Pool> pool, Instance<VaultClient> vault) {
        String mount = config.vault().mount();
        String prefix = config.vault().prefix();
        String schema = config.local().schema();
        Optional<String> keyFile = config.local().keyFile();
        switch (config.store()) {
            case "vault" -> {
                if (!vault.isResolvable()) {
                    throw new IllegalStateException(
                            "devops.secrets.store=vault needs quarkus.vault.url and its authentication");
                }
                LOG.infof("secrets: Vault KV v2 at mount %s, prefix %s", mount, prefix);
                return new VaultSecretStore(vault.get().secrets().kv2(mount), prefix);
            }
            case "local" -> {
                Path file =
                        Path.of(keyFile.orElse(System.getProperty("user.home") + "/.devops-console/secrets/local.key"));
                try {
                    LocalKey key = LocalKey.loadOrCreate(file);
                    LOG.infof("secrets: local encrypted store (schema %s, key %s)", schema, key);
                    return new Prepared(new LocalSecretStore(pool.get(), key, schema));
                } catch (IOException e) {
                    throw new IllegalStateException(
                            "the local secret store's key file " + file + ": " + e.getMessage());
                }
            }
            default ->
                throw new IllegalStateException(
                        "devops.secrets.store must be 'local' or 'vault', not '" + config.store() + "'");
        }
    }

    /** The local store with its table created once, before the first use. */
    static final class Prepared implements SecretStore {
        private final LocalSecretStore store;
        private final Uni<Void> ready;
        private volatile boolean prepared;

        Prepared(LocalSecretStore store) {
            this.store = store;
            // a failed preparation (database not up yet) is tried again on the next use
            this.ready = Uni.createFrom()
                    .deferred(() -> prepared
                            ? Uni.createFrom().voidItem()
                            : store.prepare().invoke(() -> prepared = true));
        }

        @Override
        public Uni<Integer> put(SecretRef ref, Map<String, String> values) {
            return ready.flatMap(v -> store.put(ref, values));
        }

        @Override
        public Uni<Optional<Map<String, String>>> get(SecretRef ref) {
            return ready.flatMap(v -> store.get(ref));
        }

        @Override
        public Uni<Boolean> delete(SecretRef ref) {
            return ready.flatMap(v -> store.delete(ref));
        }

        @Override
        public Uni<List<SecretRef>> list(String prefix) {
            return ready.flatMap(v -> store.list(prefix));
        }
    }
}
