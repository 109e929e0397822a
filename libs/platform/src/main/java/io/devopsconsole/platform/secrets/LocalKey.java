package io.devopsconsole.platform.secrets;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Set;

/**
 * The local secret store's AES-256 key: 32 random bytes, base64 in a file outside the repository,
 * created with mode 600 on first start (never overwritten). A file readable by others is refused.
 * {@link #id()} names the key without revealing it (rows remember which key wrote them).
 */
public final class LocalKey {

    private final byte[] key;
    private final String id;

    private LocalKey(byte[] key) {
        this.key = key;
        try {
            this.id = HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(key), 0, 8);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Reads the key file, creating it (and its directory, mode 700) with a fresh key when absent. */
    public static LocalKey loadOrCreate(Path file) throws IOException {
        if (!Files.exists(file)) {
            Path dir = file.toAbsolutePath().getParent();
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(
                        dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
            byte[] fresh = new byte[32];
            new SecureRandom().nextBytes(fresh);
            try {
                Files.write(
                        Files.createFile(
                                file,
                                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))),
                        (Base64.getEncoder().encodeToString(fresh) + "\n").getBytes(StandardCharsets.US_ASCII),
                        StandardOpenOption.WRITE);
            } catch (FileAlreadyExistsException raced) {
                // another process created it first: use theirs
            }
        }
        Set<PosixFilePermission> mode = Files.getPosixFilePermissions(file);
        if (mode.contains(PosixFilePermission.GROUP_READ)
                || mode.contains(PosixFilePermission.OTHERS_READ)
                || mode.contains(PosixFilePermission.GROUP_WRITE)
                || mode.contains(PosixFilePermission.OTHERS_WRITE)) {
            throw new IOException("the secret store key file " + file + " is readable or writable by others (mode "
                    + PosixFilePermissions.toString(mode) + "); make it 600");
        }
        byte[] key;
        try {
            key = Base64.getDecoder()
                    .decode(Files.readString(file, StandardCharsets.US_ASCII).strip());
        } catch (IllegalArgumentException e) {
            throw new IOException("the secret store key file " + file + " does not hold a base64 key");
        }
        if (key.length != 32) {
            throw new IOException("the secret store key file " + file + " does not hold a 256-bit key");
        }
        return new LocalKey(key);
    }

    byte[] bytes() {
        return key.clone();
    }

    public String id() {
        return id;
    }

    @Override
    public String toString() {
        return "LocalKey[" + id + "]";
    }
}
