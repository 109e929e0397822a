package io.devopsconsole.platform.validation;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * Host syntax for SSH targets: an IPv4 literal (four decimal octets 0-255), an IPv6 literal
 * (optionally in brackets), or a DNS name (RFC 1123 labels of 1-63 letters, digits and inner
 * hyphens, at most 253 characters, not all-numeric). IPv4-mapped IPv6 literals are refused (use
 * the IPv4 form). Nothing here resolves a name.
 */
public final class HostNames {

    private static final Pattern IPV4 =
            Pattern.compile("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
    private static final Pattern LOOKS_NUMERIC = Pattern.compile("[0-9.]+");
    private static final Pattern IPV6_CHARS = Pattern.compile("[0-9A-Fa-f:.]{2,45}");
    private static final Pattern LABEL = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?");

    private HostNames() {}

    public static boolean isValid(String host) {
        return host != null && (isIpv4(host) || isIpv6(host) || isDnsName(host));
    }

    public static boolean isIpv4(String host) {
        return IPV4.matcher(host).matches();
    }

    public static boolean isIpv6(String host) {
        String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (!bare.contains(":") || !IPV6_CHARS.matcher(bare).matches()) {
            return false;
        }
        try {
            // a literal of only hex digits, colons and dots is parsed, never looked up
            return InetAddress.getByName(bare) instanceof java.net.Inet6Address;
        } catch (UnknownHostException e) {
            return false;
        }
    }

    public static boolean isDnsName(String host) {
        String name = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
        if (name.isEmpty() || name.length() > 253 || LOOKS_NUMERIC.matcher(name).matches()) {
            return false;
        }
        for (String label : name.split("\\.", -1)) {
            if (!LABEL.matcher(label).matches()) {
                return false;
            }
        }
        return true;
    }

    /** The canonical form stored: lower-case names, bracket-free IPv6. */
    public static String normalize(String host) {
        String h = host.strip();
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        if (h.endsWith(".") && isDnsName(h)) {
            h = h.substring(0, h.length() - 1);
        }
        return h.toLowerCase(java.util.Locale.ROOT);
    }
}
