package dev.cipherlane.stages.fib;

import dev.cipherlane.net.IpFamily;
import dev.cipherlane.net.IpPrefix;

/**
 * An IPv6 prefix as two 64-bit halves in network order ({@code hi} holds bits 0..63) with its
 * host bits clear and a length 0..128.
 *
 * <p>Control-side value: {@link Ip6Fib} also uses it as the key of its exact-match map.
 */
public record Ip6Prefix(long hi, long lo, int length) {

    public Ip6Prefix {
        if (length < 0 || length > 128) {
            throw new IllegalArgumentException("IPv6 prefix length must be 0..128, got " + length);
        }
        if ((hi & ~Prefixes.mask6Hi(length)) != 0 || (lo & ~Prefixes.mask6Lo(length)) != 0) {
            throw new IllegalArgumentException("host bits set in " + Prefixes.format6(hi, lo) + "/" + length);
        }
    }

    /** The FIB's form of a parsed IPv6 prefix. */
    public static Ip6Prefix of(IpPrefix prefix) {
        if (prefix.family() != IpFamily.IPV6) {
            throw new IllegalArgumentException("not an IPv6 prefix: " + prefix);
        }
        return new Ip6Prefix(prefix.network().high(), prefix.network().low(), prefix.length());
    }

    /** Upper half of the last address covered. */
    public long lastHi() {
        return hi | ~Prefixes.mask6Hi(length);
    }

    /** Lower half of the last address covered. */
    public long lastLo() {
        return lo | ~Prefixes.mask6Lo(length);
    }

    public boolean contains(long candidateHi, long candidateLo) {
        return (candidateHi & Prefixes.mask6Hi(length)) == hi && (candidateLo & Prefixes.mask6Lo(length)) == lo;
    }

    @Override
    public String toString() {
        return Prefixes.format6(hi, lo) + "/" + length;
    }
}
