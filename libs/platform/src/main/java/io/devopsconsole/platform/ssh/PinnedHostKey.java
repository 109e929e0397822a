package io.devopsconsole.platform.ssh;

import com.jcraft.jsch.HostKey;
import com.jcraft.jsch.HostKeyRepository;
import com.jcraft.jsch.JSchException;
import com.jcraft.jsch.UserInfo;
import io.devopsconsole.platform.validation.HostKeys;
import java.util.Arrays;
import java.util.Base64;
import org.jboss.logging.Logger;

/**
 * A JSch host-key repository holding exactly one trusted key (or none, to discover what a host
 * presents): it never learns another key. With {@code StrictHostKeyChecking=yes} any other key
 * ends the handshake; {@link #presentedFingerprint()} then says what the host showed.
 */
public final class PinnedHostKey implements HostKeyRepository {

    private static final Logger LOG = Logger.getLogger(PinnedHostKey.class);

    private final String type;
    private final byte[] blob;
    private volatile byte[] presented;

    private PinnedHostKey(String type, byte[] blob) {
        this.type = type;
        this.blob = blob;
    }

    /** Trusts exactly the key of this OpenSSH public key line ({@code <type> <base64> [comment]}). */
    public static PinnedHostKey trusting(String publicKeyLine) {
        String[] parts = publicKeyLine.trim().split("\\s+");
        if (parts.length < 2) {
            throw new IllegalArgumentException("a trusted host key is '<type> <base64>'");
        }
        return new PinnedHostKey(parts[0], Base64.getDecoder().decode(parts[1]));
    }

    /** Trusts nothing: the handshake records the presented key and stops. */
    public static PinnedHostKey discovering() {
        return new PinnedHostKey(null, null);
    }

    /** The trusted key's algorithm first, so a host with several keys presents that one. */
    public String preferredAlgorithms(String configured) {
        if (type == null) {
            return configured;
        }
        String rest = Arrays.stream(configured.split(","))
                .filter(a -> !a.equals(type))
                .reduce((a, b) -> a + "," + b)
                .orElse("");
        return rest.isEmpty() ? type : type + "," + rest;
    }

    /** True when the host presented a key that is not the trusted one (or any key while discovering). */
    public boolean refusedAKey() {
        return presented != null && (blob == null || !Arrays.equals(presented, blob));
    }

    /** The key type the host presented, or null. */
    public String presentedType() {
        return presented == null ? null : keyType(presented);
    }

    /** The presented key blob in base64, or null. */
    public String presentedBase64() {
        return presented == null ? null : Base64.getEncoder().encodeToString(presented);
    }

    /** The presented key's SHA-256 fingerprint ({@code SHA256:...}), or null. */
    public String presentedFingerprint() {
        return presented == null
                ? null
                : HostKeys.fingerprint(presentedType(), presentedBase64()).orElse("unknown");
    }

    @Override
    public int check(String host, byte[] key) {
        presented = key.clone();
        if (blob != null && Arrays.equals(key, blob)) {
            return OK;
        }
        if (blob != null) {
            LOG.warnf("host %s presented a host key that is not the trusted one: refused", host);
        }
        return blob == null ? NOT_INCLUDED : CHANGED;
    }

    @Override
    public void add(HostKey hostkey, UserInfo ui) {
        // never: trust is given by an operator, not learned on connect
    }

    @Override
    public void remove(String host, String type) {}

    @Override
    public void remove(String host, String type, byte[] key) {}

    @Override
    public String getKnownHostsRepositoryID() {
        return "devops-console-trusted-host-key";
    }

    @Override
    public HostKey[] getHostKey() {
        return new HostKey[0];
    }

    @Override
    public HostKey[] getHostKey(String host, String type) {
        if (blob == null) {
            return new HostKey[0];
        }
        try {
            return new HostKey[] {new HostKey(host, blob)};
        } catch (JSchException e) {
            return new HostKey[0];
        }
    }

    private static String keyType(byte[] blob) {
        // an SSH key blob starts with its type as a length-prefixed string
        if (blob.length < 4) {
            return "unknown";
        }
        int n = ((blob[0] & 0xff) << 24) | ((blob[1] & 0xff) << 16) | ((blob[2] & 0xff) << 8) | (blob[3] & 0xff);
        return n > 0 && n < 64 && blob.length >= 4 + n ? new String(blob, 4, n) : "unknown";
    }
}
