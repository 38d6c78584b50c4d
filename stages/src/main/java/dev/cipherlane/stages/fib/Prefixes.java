package dev.cipherlane.stages.fib;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;

/**
 * Netmasks, and parsing and printing of addresses and prefixes for configuration, {@code show}
 * output and tests.
 *
 * <p>Parsing is strict on purpose: a route typed as {@code 10.0.0.1/8} is refused, not
 * silently widened, and IPv4 accepts only plain dotted-quad (no {@code 010} octal or
 * {@code 127.1} short forms that {@code inet_aton} would take). Nothing here resolves names:
 * IPv6 goes through {@link Inet6Address#ofLiteral}, which never touches DNS.
 */
public final class Prefixes {

    private Prefixes() {
    }

    /** IPv4 netmask for {@code length} 0..32 ({@code /0} is 0, {@code /32} is all ones). */
    public static int mask4(int length) {
        // A shift by 32 is a shift by 0 in Java, so /0 needs its own branch.
        return length == 0 ? 0 : -1 << (32 - length);
    }

    /** Upper 64 bits of the IPv6 netmask for {@code length} 0..128. */
    public static long mask6Hi(int length) {
        if (length <= 0) {
            return 0L;
        }
        return length >= 64 ? -1L : -1L << (64 - length);
    }

    /** Lower 64 bits of the IPv6 netmask for {@code length} 0..128. */
    public static long mask6Lo(int length) {
        if (length <= 64) {
            return 0L;
        }
        return length >= 128 ? -1L : -1L << (128 - length);
    }

    /** Parses {@code "10.0.0.0/8"}; a bare address {@code "10.1.2.3"} means {@code /32}. */
    public static Ip4Prefix parse4(String text) {
        int slash = text.indexOf('/');
        String addressText = slash < 0 ? text : text.substring(0, slash);
        int length = slash < 0 ? 32 : parseLength(text, text.substring(slash + 1), 32);
        int address = parseAddress4(text, addressText);
        if ((address & ~mask4(length)) != 0) {
            throw new IllegalArgumentException("host bits set in prefix '" + text + "'");
        }
        return new Ip4Prefix(address, length);
    }

    /** Parses {@code "fd00::/8"}; a bare address {@code "fd00::1"} means {@code /128}. */
    public static Ip6Prefix parse6(String text) {
        int slash = text.indexOf('/');
        String addressText = slash < 0 ? text : text.substring(0, slash);
        int length = slash < 0 ? 128 : parseLength(text, text.substring(slash + 1), 128);
        // Zone ids and brackets belong to socket addresses, not to routes.
        if (addressText.indexOf('%') >= 0 || addressText.indexOf('[') >= 0 || addressText.indexOf(':') < 0) {
            throw new IllegalArgumentException("not an IPv6 prefix: '" + text + "'");
        }
        InetAddress parsed;
        try {
            parsed = Inet6Address.ofLiteral(addressText);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not an IPv6 prefix: '" + text + "'", e);
        }
        long hi;
        long lo;
        if (parsed instanceof Inet4Address mapped) {
            // ofLiteral folds ::ffff:a.b.c.d into an Inet4Address; keep it IPv6 here.
            hi = 0L;
            lo = 0x0000_FFFF_0000_0000L | (bigEndianInt(mapped.getAddress(), 0) & 0xFFFF_FFFFL);
        } else {
            byte[] bytes = parsed.getAddress();
            hi = bigEndianLong(bytes, 0);
            lo = bigEndianLong(bytes, 8);
        }
        if ((hi & ~mask6Hi(length)) != 0 || (lo & ~mask6Lo(length)) != 0) {
            throw new IllegalArgumentException("host bits set in prefix '" + text + "'");
        }
        return new Ip6Prefix(hi, lo, length);
    }

    /** Dotted-quad form of an IPv4 address held as a big-endian int. */
    public static String format4(int address) {
        return (address >>> 24) + "." + ((address >>> 16) & 0xFF) + "." + ((address >>> 8) & 0xFF) + "."
                + (address & 0xFF);
    }

    /** RFC 5952 canonical text: lower-case hex, no leading zeros, longest zero run as "::". */
    public static String format6(long hi, long lo) {
        int[] groups = new int[8];
        for (int i = 0; i < 4; i++) {
            groups[i] = (int) (hi >>> (48 - 16 * i)) & 0xFFFF;
            groups[i + 4] = (int) (lo >>> (48 - 16 * i)) & 0xFFFF;
        }
        // RFC 5952 section 4.2: compress the longest run of two or more zero groups, the first
        // one on a tie; a single zero group is written as "0".
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; ) {
            if (groups[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j;
        }
        StringBuilder out = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                out.append("::");
                i += bestLength - 1;
                continue;
            }
            if (out.length() > 0 && out.charAt(out.length() - 1) != ':') {
                out.append(':');
            }
            out.append(Integer.toHexString(groups[i]));
        }
        return out.toString();
    }

    private static int parseLength(String whole, String digits, int max) {
        if (digits.isEmpty() || digits.length() > 3 || !allDigits(digits) || (digits.length() > 1 && digits.charAt(0) == '0')) {
            throw new IllegalArgumentException("bad prefix length in '" + whole + "'");
        }
        int length = Integer.parseInt(digits);
        if (length > max) {
            throw new IllegalArgumentException("prefix length " + length + " exceeds " + max + " in '" + whole + "'");
        }
        return length;
    }

    private static int parseAddress4(String whole, String text) {
        String[] octets = text.split("\\.", -1);
        if (octets.length != 4) {
            throw new IllegalArgumentException("not an IPv4 address: '" + whole + "'");
        }
        int address = 0;
        for (String octet : octets) {
            if (octet.isEmpty() || octet.length() > 3 || !allDigits(octet) || (octet.length() > 1 && octet.charAt(0) == '0')) {
                throw new IllegalArgumentException("not an IPv4 address: '" + whole + "'");
            }
            int value = Integer.parseInt(octet);
            if (value > 255) {
                throw new IllegalArgumentException("not an IPv4 address: '" + whole + "'");
            }
            address = (address << 8) | value;
        }
        return address;
    }

    private static boolean allDigits(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    private static int bigEndianInt(byte[] bytes, int offset) {
        return ((bytes[offset] & 0xFF) << 24) | ((bytes[offset + 1] & 0xFF) << 16)
                | ((bytes[offset + 2] & 0xFF) << 8) | (bytes[offset + 3] & 0xFF);
    }

    private static long bigEndianLong(byte[] bytes, int offset) {
        return ((long) bigEndianInt(bytes, offset) << 32) | (bigEndianInt(bytes, offset + 4) & 0xFFFF_FFFFL);
    }
}
