package io.devopsconsole.platform.validation;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;

/**
 * An IPv4 or IPv6 network in CIDR form. Parsing is strict (address literal, '/', prefix in range)
 * and the canonical form has the host bits cleared, so "10.76.22.9/22" reads as "10.76.20.0/22".
 */
public record Cidr(String canonical, int prefixLength, boolean ipv6, BigInteger network) {

    public static Optional<Cidr> parse(String text) {
        if (text == null) {
            return Optional.empty();
        }
        String[] parts = text.strip().split("/", -1);
        if (parts.length != 2 || !parts[1].matches("[0-9]{1,3}")) {
            return Optional.empty();
        }
        boolean v6 = HostNames.isIpv6(parts[0]);
        if (!v6 && !HostNames.isIpv4(parts[0])) {
            return Optional.empty();
        }
        int prefix = Integer.parseInt(parts[1]);
        int bits = v6 ? 128 : 32;
        if (prefix > bits) {
            return Optional.empty();
        }
        BigInteger address = toBits(parts[0]);
        BigInteger mask = mask(prefix, bits);
        BigInteger network = address.and(mask);
        return Optional.of(new Cidr(format(network, v6) + "/" + prefix, prefix, v6, network));
    }

    /** Whether the address literal lies in this network (false for names and the other family). */
    public boolean contains(String addressLiteral) {
        boolean v6 = HostNames.isIpv6(addressLiteral);
        if (v6 != ipv6 || (!v6 && !HostNames.isIpv4(addressLiteral))) {
            return false;
        }
        return toBits(addressLiteral).and(mask(prefixLength, ipv6 ? 128 : 32)).equals(network);
    }

    private static BigInteger mask(int prefix, int bits) {
        return BigInteger.ONE
                .shiftLeft(bits)
                .subtract(BigInteger.ONE)
                .xor(BigInteger.ONE.shiftLeft(bits - prefix).subtract(BigInteger.ONE));
    }

    private static BigInteger toBits(String literal) {
        try {
            String bare = literal.startsWith("[") ? literal.substring(1, literal.length() - 1) : literal;
            return new BigInteger(1, InetAddress.getByName(bare).getAddress());
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an address literal: " + literal, e);
        }
    }

    private static String format(BigInteger network, boolean v6) {
        byte[] raw = network.toByteArray();
        byte[] bytes = new byte[v6 ? 16 : 4];
        int copy = Math.min(raw.length, bytes.length);
        System.arraycopy(raw, raw.length - copy, bytes, bytes.length - copy, copy);
        try {
            String text = InetAddress.getByAddress(bytes).getHostAddress();
            return v6 ? compressIpv6(text) : text;
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String compressIpv6(String full) {
        // InetAddress prints 0:0:0:0:0:0:0:1; collapse the longest run of zero groups once
        String[] groups = full.split(":");
        int bestStart = -1;
        int bestLen = 0;
        for (int i = 0; i < groups.length; ) {
            if (groups[i].equals("0")) {
                int j = i;
                while (j < groups.length && groups[j].equals("0")) {
                    j++;
                }
                if (j - i > bestLen) {
                    bestStart = i;
                    bestLen = j - i;
                }
                i = j;
            } else {
                i++;
            }
        }
        if (bestLen < 2) {
            return full;
        }
        String head = String.join(":", java.util.Arrays.copyOfRange(groups, 0, bestStart));
        String tail = String.join(":", java.util.Arrays.copyOfRange(groups, bestStart + bestLen, groups.length));
        return head + "::" + tail;
    }
}
