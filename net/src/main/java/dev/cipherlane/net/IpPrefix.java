package dev.cipherlane.net;

import java.util.Objects;

/**
 * A route's destination: a network address and a prefix length, with every bit after
 * the length zero. Parsing refuses "10.1.2.3/16" instead of quietly reading it as
 * 10.1.0.0/16, the way `ip route` does: a stray host bit is usually a typo for another
 * network, and the service should not guess which. Code that wants the network holding
 * an address uses {@link #of}, which masks.
 */
public record IpPrefix(IpAddress network, int length) {

    public IpPrefix {
        Objects.requireNonNull(network, "network");
        if (length < 0 || length > network.family().bits()) {
            throw new IllegalArgumentException(network.family() + " prefix length " + length);
        }
        if (!network.masked(length).equals(network)) {
            throw new IllegalArgumentException(network + "/" + length + " has host bits set");
        }
    }

    /** The prefix of the given length that contains {@code address}. */
    public static IpPrefix of(IpAddress address, int length) {
        return new IpPrefix(address.masked(length), length);
    }

    /**
     * Parses "10.1.0.0/16" or "fd00::/48".
     *
     * @throws ValueFormatException if the text is not a prefix or has host bits set
     */
    public static IpPrefix parse(String text) {
        CidrText cidr = CidrText.parse(text, "a prefix like 10.1.0.0/16 or fd00::/48");
        IpAddress network = cidr.address().masked(cidr.length());
        if (!network.equals(cidr.address())) {
            throw new ValueFormatException("a prefix with no bits set after /" + cidr.length()
                    + " (did you mean " + network + "/" + cidr.length() + "?)", text);
        }
        return new IpPrefix(network, cidr.length());
    }

    public IpFamily family() {
        return network.family();
    }

    public boolean contains(IpAddress address) {
        return address.family() == family() && address.masked(length).equals(network);
    }

    /** The prefix's highest address: the network with every bit after the length set. */
    public IpAddress last() {
        IpAddress n = network;
        if (n.family() == IpFamily.IPV4) {
            long host = length == 32 ? 0 : 0xFFFF_FFFFL >>> length;
            return new IpAddress(n.family(), 0, n.low() | host);
        }
        long highHost = length >= 64 ? 0 : length == 0 ? -1L : -1L >>> length;
        long lowHost = length <= 64 ? -1L : length == 128 ? 0 : -1L >>> (length - 64);
        return new IpAddress(n.family(), n.high() | highHost, n.low() | lowHost);
    }

    /** Whether some address is in both: one prefix holds the other's network. */
    public boolean overlaps(IpPrefix other) {
        IpPrefix shorter = length <= other.length ? this : other;
        IpPrefix longer = shorter == this ? other : this;
        return shorter.contains(longer.network());
    }

    @Override
    public String toString() {
        return network + "/" + length;
    }
}
