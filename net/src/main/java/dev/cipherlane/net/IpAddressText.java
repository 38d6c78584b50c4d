package dev.cipherlane.net;

/**
 * Address text in and out. Parsing is strict where other tools guess: an IPv4 octet
 * with a leading zero is refused because inet_aton reads "010" as octal 8, and zone
 * indexes (fe80::1%eth0) are refused because a route or interface address has no use for one.
 *
 * <p>The formatters are public for code that holds addresses as bare ints and longs (the
 * FIB, packet traces, {@code show} output), so every address the node prints is spelled
 * the same way whether it came from the config or from a packet.
 */
public final class IpAddressText {

    private static final String IPV4 = "an IPv4 address like 192.0.2.1";
    private static final String IPV6 = "an IPv6 address like fd00::1";

    private IpAddressText() {
    }

    static IpAddress parse(String text) {
        return text.indexOf(':') >= 0 ? parseIpv6(text) : IpAddress.ipv4(parseIpv4(text, text));
    }

    static String format(IpAddress address) {
        return address.family() == IpFamily.IPV4
                ? formatIpv4((int) address.low())
                : formatIpv6(address.high(), address.low());
    }

    private static int parseIpv4(String text, String whole) {
        String[] octets = text.split("\\.", -1);
        if (octets.length != 4) {
            throw new ValueFormatException(IPV4 + " (four octets separated by dots)", whole);
        }
        int address = 0;
        for (String octet : octets) {
            if (octet.isEmpty() || octet.length() > 3 || !octet.chars().allMatch(IpAddressText::isDigit)) {
                throw new ValueFormatException(IPV4 + " (decimal octets 0..255)", whole);
            }
            if (octet.length() > 1 && octet.charAt(0) == '0') {
                throw new ValueFormatException(IPV4 + " (no leading zeros: they read as octal elsewhere)", whole);
            }
            int value = Integer.parseInt(octet);
            if (value > 255) {
                throw new ValueFormatException(IPV4 + " (octets 0..255)", whole);
            }
            address = address << 8 | value;
        }
        return address;
    }

    /** RFC 4291 section 2.2: eight hex groups, one "::" for a run of zeros, an IPv4 tail. */
    private static IpAddress parseIpv6(String text) {
        if (text.indexOf('%') >= 0) {
            throw new ValueFormatException(IPV6 + " without a zone index", text);
        }
        int gap = text.indexOf("::");
        if (gap >= 0 && text.indexOf("::", gap + 1) >= 0) {
            throw new ValueFormatException(IPV6 + " (at most one \"::\")", text);
        }
        int[] groups = new int[8];
        if (gap < 0) {
            if (parseGroups(text, groups, true, text) != 8) {
                throw new ValueFormatException(IPV6 + " (eight groups, or \"::\" for zeros)", text);
            }
        } else {
            int[] tail = new int[8];
            int headCount = parseGroups(text.substring(0, gap), groups, false, text);
            int tailCount = parseGroups(text.substring(gap + 2), tail, true, text);
            if (headCount + tailCount > 7) {
                throw new ValueFormatException(IPV6 + " (\"::\" stands for at least one zero group)", text);
            }
            System.arraycopy(tail, 0, groups, 8 - tailCount, tailCount);
        }
        long high = 0;
        long low = 0;
        for (int i = 0; i < 4; i++) {
            high = high << 16 | groups[i];
            low = low << 16 | groups[i + 4];
        }
        return IpAddress.ipv6(high, low);
    }

    /** Parses colon-separated 16-bit groups into {@code out}; returns how many. */
    private static int parseGroups(String part, int[] out, boolean ipv4TailAllowed, String whole) {
        if (part.isEmpty()) {
            return 0;
        }
        String[] fields = part.split(":", -1);
        int n = 0;
        for (int i = 0; i < fields.length; i++) {
            String field = fields[i];
            boolean last = i == fields.length - 1;
            if (last && ipv4TailAllowed && field.indexOf('.') >= 0) {
                if (n > 6) {
                    throw new ValueFormatException(IPV6 + " (too many groups)", whole);
                }
                int v4 = parseIpv4(field, whole);
                out[n++] = v4 >>> 16;
                out[n++] = v4 & 0xFFFF;
                continue;
            }
            if (field.isEmpty() || field.length() > 4 || !field.chars().allMatch(IpAddressText::isHexDigit)) {
                throw new ValueFormatException(IPV6 + " (groups of 1..4 hex digits)", whole);
            }
            if (n == 8) {
                throw new ValueFormatException(IPV6 + " (too many groups)", whole);
            }
            out[n++] = Integer.parseInt(field, 16);
        }
        return n;
    }

    /** Dotted quad of an IPv4 address held as a big-endian int (192.0.2.1 is 0xC0000201). */
    public static String formatIpv4(int address) {
        return (address >>> 24) + "." + (address >>> 16 & 0xFF) + "." + (address >>> 8 & 0xFF) + "." + (address & 0xFF);
    }

    /**
     * RFC 5952 text of an IPv6 address held as two big-endian halves: section 4, lowercase,
     * no leading zeros, "::" for the first longest run of 2+ zero groups; section 5, mixed
     * notation for an IPv4-mapped address (::ffff:192.0.2.1).
     */
    public static String formatIpv6(long high, long low) {
        if (high == 0 && (low >>> 32) == 0xFFFFL) {
            return "::ffff:" + formatIpv4((int) low);
        }
        int[] groups = new int[8];
        for (int i = 0; i < 4; i++) {
            groups[i] = (int) (high >>> (48 - 16 * i)) & 0xFFFF;
            groups[i + 4] = (int) (low >>> (48 - 16 * i)) & 0xFFFF;
        }
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; ) {
            if (groups[i] != 0) {
                i++;
                continue;
            }
            int start = i;
            while (i < 8 && groups[i] == 0) {
                i++;
            }
            if (i - start > bestLength) {
                bestStart = start;
                bestLength = i - start;
            }
        }
        StringBuilder text = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                text.append("::");
                i += bestLength - 1;
                continue;
            }
            if (!text.isEmpty() && text.charAt(text.length() - 1) != ':') {
                text.append(':');
            }
            text.append(Integer.toHexString(groups[i]));
        }
        return text.toString();
    }

    private static boolean isDigit(int c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isHexDigit(int c) {
        return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }
}
