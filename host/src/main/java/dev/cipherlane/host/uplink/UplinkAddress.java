package dev.cipherlane.host.uplink;

import java.net.Inet4Address;
import java.net.InetAddress;

/**
 * One of the node's addresses as the uplink carried it before the takeover: what the
 * data path must now answer for, and what {@link UplinkTakeover#restore} gives back.
 *
 * @param address      IPv4, or IPv6 of global scope (link-local ones stay on the uplink)
 * @param prefixLength as configured, so the connected route comes back the same
 * @param flags        the IFA_F_* bits a user may set (nodad, noprefixroute ...), kept so
 *                     the restored address is configured exactly as before
 */
public record UplinkAddress(InetAddress address, int prefixLength, int flags) {
    public UplinkAddress {
        int bits = address.getAddress().length * 8;
        if (prefixLength < 0 || prefixLength > bits) {
            throw new IllegalArgumentException("prefix length " + prefixLength + " for " + address.getHostAddress());
        }
        if (flags < 0) {
            throw new IllegalArgumentException("negative address flags " + flags);
        }
    }

    public boolean isIpv4() {
        return address instanceof Inet4Address;
    }

    @Override
    public String toString() {
        return address.getHostAddress() + "/" + prefixLength;
    }
}
