package dev.cipherlane.stages.net;

import java.util.List;

/**
 * An interface as the dataplane sees it: its index (what packet metadata stores as rx/tx
 * interface), MAC address (low 48 bits of {@code mac}), MTU and the addresses it owns.
 * IPv4 addresses are ints in network order value; IPv6 addresses are {hi, lo} pairs.
 */
public record NetInterface(int index, String name, long mac, int mtu,
                           List<Ip4Address> ip4, List<Ip6Address> ip6) {
    public NetInterface {
        if (index < 0) {
            throw new IllegalArgumentException("interface index must be >= 0, got " + index);
        }
        if (mtu < 68 || mtu > 65535) {
            throw new IllegalArgumentException(name + ": MTU must be in 68..65535, got " + mtu);
        }
        ip4 = List.copyOf(ip4);
        ip6 = List.copyOf(ip6);
    }

    /** An IPv4 address with its prefix length on this interface. */
    public record Ip4Address(int address, int prefixLength) {}

    /** An IPv6 address with its prefix length on this interface. */
    public record Ip6Address(long hi, long lo, int prefixLength) {}

    public boolean owns4(int address) {
        // Index loops: workers call this per packet, and an iterator would be an allocation.
        for (int i = 0; i < ip4.size(); i++) {
            if (ip4.get(i).address() == address) {
                return true;
            }
        }
        return false;
    }

    public boolean owns6(long hi, long lo) {
        for (int i = 0; i < ip6.size(); i++) {
            Ip6Address a = ip6.get(i);
            if (a.hi() == hi && a.lo() == lo) {
                return true;
            }
        }
        return false;
    }

    /** First IPv4 address, used as the source of ICMP errors sent from this interface; 0 if none. */
    public int primary4() {
        return ip4.isEmpty() ? 0 : ip4.get(0).address();
    }
}
