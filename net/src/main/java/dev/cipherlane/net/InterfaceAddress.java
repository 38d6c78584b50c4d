package dev.cipherlane.net;

import java.util.Objects;

/**
 * An address assigned to an interface together with its subnet's prefix length, as in
 * "10.0.0.1/24". Unlike {@link IpPrefix} the bits after the length are the point: they
 * are the host part.
 */
public record InterfaceAddress(IpAddress address, int length) {

    public InterfaceAddress {
        Objects.requireNonNull(address, "address");
        if (length < 0 || length > address.family().bits()) {
            throw new IllegalArgumentException(address.family() + " prefix length " + length);
        }
    }

    /**
     * Parses "10.0.0.1/24" or "fd00::1/64".
     *
     * @throws ValueFormatException if the text is not an address with a prefix length
     */
    public static InterfaceAddress parse(String text) {
        CidrText cidr = CidrText.parse(text, "an address with its prefix length like 10.0.0.1/24");
        return new InterfaceAddress(cidr.address(), cidr.length());
    }

    public IpFamily family() {
        return address.family();
    }

    /** The directly connected subnet this address lives in. */
    public IpPrefix subnet() {
        return IpPrefix.of(address, length);
    }

    @Override
    public String toString() {
        return address + "/" + length;
    }
}
