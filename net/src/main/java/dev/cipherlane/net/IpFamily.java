package dev.cipherlane.net;

/** The two address families; an address, prefix or route belongs to exactly one. */
public enum IpFamily {
    IPV4(32, "IPv4"),
    IPV6(128, "IPv6");

    private final int bits;
    private final String label;

    IpFamily(int bits, String label) {
        this.bits = bits;
        this.label = label;
    }

    /** Address width, and so the longest prefix length. */
    public int bits() {
        return bits;
    }

    public int bytes() {
        return bits / 8;
    }

    @Override
    public String toString() {
        return label;
    }
}
