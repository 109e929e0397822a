package io.devopsconsole.platform.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.devopsconsole.testkit.PostgresServer;
import io.devopsconsole.testkit.Sql;
import io.devopsconsole.testkit.TestInfrastructure;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.pgclient.PgPool;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.PoolOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded secret store against a real PostgreSQL: encrypted at rest, bound to its key and its row. */
class LocalSecretStoreTest {

    static Vertx vertx;
    static Pool pool;

    @BeforeAll
    static void database() {
        PostgresServer pg = TestInfrastructure.postgres();
        vertx = Vertx.vertx();
        pool = PgPool.pool(
                vertx,
                PgConnectOptions.fromUri(pg.reactiveUrl()).setUser(pg.user()).setPassword(pg.password()),
                new PoolOptions().setMaxSize(4));
    }

    @AfterAll
    static void close() {
        pool.closeAndAwait();
        vertx.closeAndAwait();
    }

    static LocalSecretStore store(Path keyFile) throws Exception {
        LocalSecretStore store = new LocalSecretStore(pool, LocalKey.loadOrCreate(keyFile), "secrets");
        store.prepare().await().indefinitely();
        return store;
    }

    @Test
    void secretsAreStoredEncryptedVersionedListedAndDeleted(@TempDir Path dir) throws Exception {
        LocalSecretStore store = store(dir.resolve("keys/store.key"));
        String canary = "CANARY-" + UUID.randomUUID();
        SecretRef ref =
                new SecretRef("codex-auth/slot-" + UUID.randomUUID().toString().substring(0, 8));
        assertThat(store.put(ref, Map.of("auth.json", "{\"token\":\"" + canary + "\"}"))
                        .await()
                        .indefinitely())
                .isEqualTo(1);
        assertThat(store.get(ref).await().indefinitely())
                .contains(Map.of("auth.json", "{\"token\":\"" + canary + "\"}"));
        assertThat(store.put(ref, Map.of("auth.json", canary + "-2")).await().indefinitely())
                .isEqualTo(2);
        assertThat(store.get(ref).await().indefinitely()).contains(Map.of("auth.json", canary + "-2"));

        // at rest: nothing of the value, in any column of any row
        String dump = Sql.rows(
                        "SELECT path, version, key_id, encode(nonce, 'escape') AS n, encode(ciphertext, 'escape') AS c"
                                + " FROM secrets.secret_entry")
                .toString();
        assertThat(dump).contains(ref.path()).doesNotContain(canary).doesNotContain("CANARY");

        assertThat(store.list(ref.path().substring(0, ref.path().indexOf('/') + 1))
                        .await()
                        .indefinitely())
                .contains(ref);
        assertThat(store.list("nothing-here/").await().indefinitely()).isEmpty();
        assertThat(store.delete(ref).await().indefinitely()).isTrue();
        assertThat(store.get(ref).await().indefinitely()).isEqualTo(Optional.empty());
        assertThat(store.delete(ref).await().indefinitely()).isFalse();
    }

    @Test
    void theKeyFileIsCreatedPrivateOnceAndAWrongOneIsNamedAsSuch(@TempDir Path dir) throws Exception {
        Path keyFile = dir.resolve("keys/store.key");
        LocalSecretStore store = store(keyFile);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile)))
                .isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile.getParent())))
                .isEqualTo("rwx------");
        String before = Files.readString(keyFile);
        assertThat(LocalKey.loadOrCreate(keyFile).id())
                .as("an existing key is kept")
                .isEqualTo(LocalKey.loadOrCreate(keyFile).id());
        assertThat(Files.readString(keyFile)).isEqualTo(before);
        assertThat(LocalKey.loadOrCreate(keyFile).toString()).doesNotContain(before.strip());

        SecretRef ref =
                new SecretRef("ssh-keys/lab-" + UUID.randomUUID().toString().substring(0, 8));
        store.put(ref, Map.of("private_key", "-----BEGIN OPENSSH PRIVATE KEY-----x"))
                .await()
                .indefinitely();
        LocalSecretStore other = store(dir.resolve("other/store.key"));
        assertThatThrownBy(() -> other.get(ref).await().indefinitely())
                .isInstanceOf(SecretStoreException.class)
                .hasMessageContaining("wrong key file")
                .hasMessageNotContaining("BEGIN OPENSSH");

        // a key file others can read is refused; so is one that does not hold a 256-bit key
        Path loose = dir.resolve("loose.key");
        Files.writeString(loose, Files.readString(keyFile));
        Files.setPosixFilePermissions(loose, PosixFilePermissions.fromString("rw-r--r--"));
        assertThatThrownBy(() -> LocalKey.loadOrCreate(loose)).hasMessageContaining("make it 600");
        Path shortKey = dir.resolve("short.key");
        Files.writeString(shortKey, "c2hvcnQ=\n");
        Files.setPosixFilePermissions(shortKey, PosixFilePermissions.fromString("rw-------"));
        assertThatThrownBy(() -> LocalKey.loadOrCreate(shortKey)).hasMessageContaining("256-bit");
    }

    @Test
    void aCiphertextMovedToAnotherSecretFailsAuthentication(@TempDir Path dir) throws Exception {
        LocalSecretStore store = store(dir.resolve("store.key"));
        String id = UUID.randomUUID().toString().substring(0, 8);
        SecretRef a = new SecretRef("moved/a-" + id);
        SecretRef b = new SecretRef("moved/b-" + id);
        store.put(a, Map.of("v", "alpha")).await().indefinitely();
        store.put(b, Map.of("v", "bravo")).await().indefinitely();
        Sql.exec(
                "UPDATE secrets.secret_entry SET nonce = (SELECT nonce FROM secrets.secret_entry WHERE path = ?),"
                        + " ciphertext = (SELECT ciphertext FROM secrets.secret_entry WHERE path = ?) WHERE path = ?",
                a.path(),
                a.path(),
                b.path());
        assertThatThrownBy(() -> store.get(b).await().indefinitely())
                .isInstanceOf(SecretStoreException.class)
                .hasMessageContaining("failed authentication")
                .hasMessageNotContaining("alpha");
    }

    @Test
    void referencesAreSafePathsOnly() {
        for (String bad : List.of(
                "",
                "/abs",
                "a/../b",
                "a//b",
                "A/b",
                "a/b/",
                "a b",
                "a;rm -rf /",
                "a/$(x)",
                "..",
                "a/./b",
                "x".repeat(201),
                "a\nb")) {
            assertThatThrownBy(() -> new SecretRef(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(new SecretRef("codex-auth/slot-1/auth.json").path()).isEqualTo("codex-auth/slot-1/auth.json");
        assertThat(new SecretRef("wireguard/wg0.conf").toString()).isEqualTo("secret:wireguard/wg0.conf");
    }
}
