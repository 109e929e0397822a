package io.devopsconsole.platform.validation;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Optional;
import java.util.Set;

/**
 * SSH public host keys as OpenSSH writes them: a key type and the base64 key blob, whose first
 * field repeats the type. The fingerprint is OpenSSH's {@code SHA256:<unpadded base64>} of the blob.
 */
public final class HostKeys {

    public static final Set<String> TYPES =
            Set.of("ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521", "ssh-rsa");

    private HostKeys() {}

    /** The SHA-256 fingerprint of a well-formed key of the given type, or empty if the blob is not one. */
    public static Optional<String> fingerprint(String keyType, String base64Blob) {
        if (keyType == null || base64Blob == null || !TYPES.contains(keyType) || base64Blob.length() > 4096) {
            return Optional.empty();
        }
        byte[] blob;
        try {
            blob = Base64.getDecoder().decode(base64Blob.strip());
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        if (!keyType.equals(embeddedType(blob))) {
            return Optional.empty();
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(blob);
            return Optional.of("SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(digest));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String embeddedType(byte[] blob) {
        if (blob.length < 4) {
            return null;
        }
        int length = ByteBuffer.wrap(blob, 0, 4).getInt();
        if (length <= 0 || length > 64 || blob.length < 4 + length) {
            return null;
        }
        return new String(blob, 4, length, StandardCharsets.US_ASCII);
    }
}
