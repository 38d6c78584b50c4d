package dev.cipherlane.net;

import java.util.Objects;

/**
 * An IPv4 or IPv6 address as two longs, so it compares by value and costs no array.
 * IPv4 lives in the low 32 bits of {@code low}. An IPv4-mapped IPv6 address
 * (::ffff:192.0.2.1) stays IPv6: it is a different address on the wire, and quietly
 * turning it into IPv4 (as {@link java.net.InetAddress} does) would change a route's family.
 */
public record IpAddress(IpFamily family, long high, long low) {

    public IpAddress {
        Objects.requireNonNull(family, "family");
        if (family == IpFamily.IPV4 && (high != 0 || (low >>> 32) != 0)) {
            throw new IllegalArgumentException("IPv4 address wider than 32 bits");
        }
    }

    public static IpAddress ipv4(int address) {
        return new IpAddress(IpFamily.IPV4, 0, Integer.toUnsignedLong(address));
    }

    public static IpAddress ipv6(long high, long low) {
        return new IpAddress(IpFamily.IPV6, high, low);
    }

    /**
     * Parses dotted-quad IPv4 or RFC 4291 IPv6 text. Never consults DNS.
     *
     * @throws ValueFormatException if the text is not an address
     */
    public static IpAddress parse(String text) {
        return IpAddressText.parse(text);
    }

    /** Network byte order, 4 or 16 bytes. */
    public byte[] toBytes() {
        byte[] bytes = new byte[family.bytes()];
        for (int i = bytes.length - 1, shift = 0; i >= 0; i--, shift += 8) {
            long word = shift < 64 ? low >>> shift : high >>> (shift - 64);
            bytes[i] = (byte) word;
        }
        return bytes;
    }

    /** ::ffff:0:0/96, RFC 4291 section 2.5.5.2. */
    public boolean isIpv4Mapped() {
        return family == IpFamily.IPV6 && high == 0 && (low >>> 32) == 0xFFFFL;
    }

    /** 0.0.0.0 or ::, "no address" (RFC 1122 section 3.2.1.3, RFC 4291 section 2.5.2). */
    public boolean isUnspecified() {
        return high == 0 && low == 0;
    }

    /** 127.0.0.0/8 or ::1 (RFC 1122 section 3.2.1.3, RFC 4291 section 2.5.3). */
    public boolean isLoopback() {
        return family == IpFamily.IPV4 ? (low >>> 24) == 127 : high == 0 && low == 1;
    }

    /** 224.0.0.0/4 or ff00::/8 (RFC 5771, RFC 4291 section 2.7). */
    public boolean isMulticast() {
        return family == IpFamily.IPV4 ? (low >>> 28) == 0xE : (high >>> 56) == 0xFF;
    }

    /** 169.254.0.0/16 or fe80::/10 (RFC 3927, RFC 4291 section 2.5.6). */
    public boolean isLinkLocal() {
        return family == IpFamily.IPV4 ? (low >>> 16) == 0xA9FE : (high >>> 54) == 0xFE80 >>> 6;
    }

    /** 255.255.255.255, which no host owns (RFC 919). */
    public boolean isLimitedBroadcast() {
        return family == IpFamily.IPV4 && low == 0xFFFF_FFFFL;
    }

    /** This address with every bit after the first {@code length} cleared. */
    public IpAddress masked(int length) {
        if (length < 0 || length > family.bits()) {
            throw new IllegalArgumentException(family + " prefix length " + length);
        }
        if (family == IpFamily.IPV4) {
            long mask = length == 0 ? 0 : (0xFFFF_FFFFL << (32 - length)) & 0xFFFF_FFFFL;
            return new IpAddress(family, 0, low & mask);
        }
        long highMask = length >= 64 ? -1L : length == 0 ? 0 : -1L << (64 - length);
        long lowMask = length <= 64 ? 0 : length == 128 ? -1L : -1L << (128 - length);
        return new IpAddress(family, high & highMask, low & lowMask);
    }

    /** Canonical text: dotted quad, or RFC 5952 for IPv6. */
    @Override
    public String toString() {
        return IpAddressText.format(this);
    }
}
