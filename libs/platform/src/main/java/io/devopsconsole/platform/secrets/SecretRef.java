package io.devopsconsole.platform.secrets;

import java.util.regex.Pattern;

/**
 * The name of a secret in the store: what rows and events keep instead of the secret itself.
 * Lower-case letters, digits, {@code . _ -} in segments separated by {@code /} (at most 200
 * characters, no empty, {@code .} or {@code ..} segment), so a reference is also a safe Vault path.
 */
public record SecretRef(String path) {

    private static final Pattern SEGMENT = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");

    public SecretRef {
        if (!valid(path)) {
            throw new IllegalArgumentException(
                    "secret reference: segments of a-z 0-9 . _ - separated by /, at most 200" + " characters");
        }
    }

    public static boolean valid(String path) {
        if (path == null || path.isEmpty() || path.length() > 200 || path.startsWith("/") || path.endsWith("/")) {
            return false;
        }
        for (String segment : path.split("/", -1)) {
            if (!SEGMENT.matcher(segment).matches() || segment.equals("..") || segment.equals(".")) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return "secret:" + path;
    }
}
