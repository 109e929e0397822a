package io.devopsconsole.platform.secrets;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The embedded default secret store: each secret's values as JSON, encrypted with AES-256-GCM
 * (fresh 96-bit nonce per write; the reference and version are authenticated as associated data,
 * so a ciphertext cannot be moved to another row) in the table {@code secrets.secret_entry} of the
 * console's PostgreSQL, shared by the services that need secrets. The key comes from
 * {@link LocalKey}; rows remember the key's id, so a wrong key file is reported as such (never as
 * corrupt data). Nothing of a secret's values is ever logged or put into an exception message.
 */
public final class LocalSecretStore implements SecretStore {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;

    private final Pool pool;
    private final LocalKey key;
    private final String table;

    public LocalSecretStore(Pool pool, LocalKey key, String schema) {
        this.pool = pool;
        this.key = key;
        this.table = schema + ".secret_entry";
    }

    /** Creates the schema and table when missing (the store is shared: no one service's migrations own it). */
    public Uni<Void> prepare() {
        String schema = table.substring(0, table.indexOf('.'));
        return pool.query("CREATE SCHEMA IF NOT EXISTS " + schema)
                .execute()
                .flatMap(v -> pool.query(
                                "CREATE TABLE IF NOT EXISTS " + table + " ("
                                        + " path text PRIMARY KEY, version integer NOT NULL, key_id text NOT NULL,"
                                        + " nonce bytea NOT NULL, ciphertext bytea NOT NULL,"
                                        + " created_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz NOT NULL DEFAULT now())")
                        .execute())
                .replaceWithVoid();
    }

    @Override
    public Uni<Integer> put(SecretRef ref, Map<String, String> values) {
        byte[] plain;
        try {
            plain = JSON.writeValueAsBytes(new TreeMap<>(values));
        } catch (Exception e) {
            return Uni.createFrom().failure(new IllegalArgumentException("secret values could not be encoded"));
        }
        return pool.withTransaction(c -> c.preparedQuery("SELECT version FROM " + table + " WHERE path = $1 FOR UPDATE")
                .execute(Tuple.of(ref.path()))
                .flatMap(rows -> {
                    int version = rows.size() == 0 ? 1 : rows.iterator().next().getInteger(0) + 1;
                    byte[] nonce = new byte[NONCE_BYTES];
                    RANDOM.nextBytes(nonce);
                    byte[] sealed = crypt(Cipher.ENCRYPT_MODE, nonce, aad(ref, version), plain);
                    java.util.Arrays.fill(plain, (byte) 0);
                    return c.preparedQuery("INSERT INTO " + table + " (path, version, key_id, nonce, ciphertext)"
                                    + " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (path) DO UPDATE SET version = excluded.version,"
                                    + " key_id = excluded.key_id, nonce = excluded.nonce, ciphertext = excluded.ciphertext,"
                                    + " updated_at = now()")
                            .execute(Tuple.of(
                                    ref.path(),
                                    version,
                                    key.id(),
                                    io.vertx.core.buffer.Buffer.buffer(nonce),
                                    io.vertx.core.buffer.Buffer.buffer(sealed)))
                            .replaceWith(version);
                }));
    }

    @Override
    public Uni<Optional<Map<String, String>>> get(SecretRef ref) {
        return pool.preparedQuery("SELECT version, key_id, nonce, ciphertext FROM " + table + " WHERE path = $1")
                .execute(Tuple.of(ref.path()))
                .map(rows -> {
                    if (rows.size() == 0) {
                        return Optional.empty();
                    }
                    Row r = rows.iterator().next();
                    if (!key.id().equals(r.getString("key_id"))) {
                        throw new SecretStoreException(
                                "secret " + ref + " was written with key " + r.getString("key_id")
                                        + " but the store's key file holds key " + key.id() + ": wrong key file?");
                    }
                    byte[] plain = crypt(
                            Cipher.DECRYPT_MODE,
                            r.getBuffer("nonce").getBytes(),
                            aad(ref, r.getInteger("version")),
                            r.getBuffer("ciphertext").getBytes());
                    try {
                        Map<String, String> values =
                                JSON.readValue(plain, new TypeReference<TreeMap<String, String>>() {});
                        return Optional.of(values);
                    } catch (java.io.IOException e) {
                        throw new SecretStoreException("secret " + ref + " could not be decoded");
                    } finally {
                        java.util.Arrays.fill(plain, (byte) 0);
                    }
                });
    }

    @Override
    public Uni<Boolean> delete(SecretRef ref) {
        return pool.preparedQuery("DELETE FROM " + table + " WHERE path = $1")
                .execute(Tuple.of(ref.path()))
                .map(rows -> rows.rowCount() > 0);
    }

    @Override
    public Uni<List<SecretRef>> list(String prefix) {
        String like = (prefix == null
                        ? ""
                        : prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")) + "%";
        return pool.preparedQuery("SELECT path FROM " + table + " WHERE path LIKE $1 ORDER BY path")
                .execute(Tuple.of(like))
                .map(rows -> {
                    List<SecretRef> out = new ArrayList<>();
                    rows.forEach(r -> out.add(new SecretRef(r.getString(0))));
                    return out;
                });
    }

    private static byte[] aad(SecretRef ref, int version) {
        return (ref.path() + "#" + version).getBytes(StandardCharsets.UTF_8);
    }

    private byte[] crypt(int mode, byte[] nonce, byte[] aad, byte[] input) {
        byte[] k = key.bytes();
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(mode, new SecretKeySpec(k, "AES"), new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(aad);
            return cipher.doFinal(input);
        } catch (AEADBadTagException e) {
            throw new SecretStoreException(
                    "a secret failed authentication: it was altered, moved, or written with another key");
        } catch (GeneralSecurityException e) {
            throw new SecretStoreException(
                    "the secret store's cipher failed: " + e.getClass().getSimpleName());
        } finally {
            java.util.Arrays.fill(k, (byte) 0);
        }
    }
}
