package dev.cipherlane.stages.fib;

import dev.cipherlane.net.IpAddress;
import dev.cipherlane.net.IpAddressText;
import dev.cipherlane.net.IpFamily;
import dev.cipherlane.net.IpPrefix;
import dev.cipherlane.net.ValueFormatException;

/**
 * Netmasks, and the FIB's bare-int and two-long address forms in and out of text, for
 * {@code show} output, traces and tests. The text rules are the config's own ({@code net}'s
 * {@link IpPrefix#parse} and {@link IpAddressText}), so a route the operator typed and a route
 * the node prints are spelled alike: a route typed as {@code 10.0.0.1/8} is refused, not
 * silently widened, IPv4 is plain dotted-quad only, and nothing resolves names.
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

    /**
     * Parses {@code "10.0.0.0/8"} with {@link IpPrefix#parse}; a bare address {@code "10.1.2.3"}
     * means {@code /32}.
     *
     * @throws ValueFormatException if the text is not an IPv4 prefix or has host bits set
     */
    public static Ip4Prefix parse4(String text) {
        return Ip4Prefix.of(parse(text, IpFamily.IPV4, "an IPv4 prefix like 10.0.0.0/8 or an IPv4 address"));
    }

    /**
     * Parses {@code "fd00::/8"} with {@link IpPrefix#parse}; a bare address {@code "fd00::1"}
     * means {@code /128}.
     *
     * @throws ValueFormatException if the text is not an IPv6 prefix or has host bits set
     */
    public static Ip6Prefix parse6(String text) {
        return Ip6Prefix.of(parse(text, IpFamily.IPV6, "an IPv6 prefix like fd00::/8 or an IPv6 address"));
    }

    /** Dotted-quad form of an IPv4 address held as a big-endian int. */
    public static String format4(int address) {
        return IpAddressText.formatIpv4(address);
    }

    /** RFC 5952 canonical text of an IPv6 address held as two big-endian halves. */
    public static String format6(long hi, long lo) {
        return IpAddressText.formatIpv6(hi, lo);
    }

    private static IpPrefix parse(String text, IpFamily family, String shape) {
        IpPrefix prefix;
        if (text.indexOf('/') < 0) {
            IpAddress host = IpAddress.parse(text);
            prefix = new IpPrefix(host, host.family().bits());
        } else {
            prefix = IpPrefix.parse(text);
        }
        if (prefix.family() != family) {
            throw new ValueFormatException(shape, text);
        }
        return prefix;
    }
}
