package dev.cipherlane.stages.fib;

import dev.cipherlane.net.IpFamily;
import dev.cipherlane.net.IpPrefix;

/**
 * An IPv4 prefix: a network address with its host bits clear and a length 0..32.
 *
 * <p>Control-side value (configuration, {@code show fib}, tests); the lookup path works on the
 * bare {@code int} address and never builds one of these.
 */
public record Ip4Prefix(int address, int length) {

    public Ip4Prefix {
        if (length < 0 || length > 32) {
            throw new IllegalArgumentException("IPv4 prefix length must be 0..32, got " + length);
        }
        if ((address & ~Prefixes.mask4(length)) != 0) {
            throw new IllegalArgumentException("host bits set in " + Prefixes.format4(address) + "/" + length);
        }
    }

    /** The FIB's form of a parsed IPv4 prefix. */
    public static Ip4Prefix of(IpPrefix prefix) {
        if (prefix.family() != IpFamily.IPV4) {
            throw new IllegalArgumentException("not an IPv4 prefix: " + prefix);
        }
        return new Ip4Prefix((int) prefix.network().low(), prefix.length());
    }

    /** First address covered (the network address itself). */
    public int first() {
        return address;
    }

    /** Last address covered (the broadcast address for a subnet). */
    public int last() {
        return address | ~Prefixes.mask4(length);
    }

    public boolean contains(int candidate) {
        return (candidate & Prefixes.mask4(length)) == address;
    }

    @Override
    public String toString() {
        return Prefixes.format4(address) + "/" + length;
    }
}
