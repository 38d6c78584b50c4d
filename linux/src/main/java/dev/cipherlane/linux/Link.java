package dev.cipherlane.linux;

import dev.cipherlane.net.MacAddress;

/**
 * A network interface as an RTM_NEWLINK message describes it (rtnetlink(7),
 * include/uapi/linux/if_link.h).
 *
 * @param index ifindex, unique within the link's network namespace
 * @param name  IFLA_IFNAME
 * @param mtu   IFLA_MTU
 * @param mac   IFLA_ADDRESS when it is a 6-byte Ethernet address, otherwise null
 * @param flags ifi_flags: {@link #IFF_UP}, {@link #IFF_RUNNING} ...
 * @param kind  IFLA_INFO_KIND ("tun", "veth" ...), null for links without one (lo, physical NICs)
 */
public record Link(int index, String name, int mtu, MacAddress mac, int flags, String kind) {
    /** struct ifinfomsg: u8 family, u8 pad, u16 type, s32 index, u32 flags, u32 change. */
    static final int IFINFOMSG_SIZE = 16;

    // ifi_flags (include/uapi/linux/if.h)
    public static final int IFF_UP = 0x1;
    public static final int IFF_BROADCAST = 0x2;
    public static final int IFF_LOOPBACK = 0x8;
    public static final int IFF_POINTOPOINT = 0x10;
    public static final int IFF_RUNNING = 0x40;
    public static final int IFF_NOARP = 0x80;
    public static final int IFF_PROMISC = 0x100;
    public static final int IFF_MULTICAST = 0x1000;
    /** The carrier is on (for a tap: a queue is attached). */
    public static final int IFF_LOWER_UP = 0x10000;

    // IFLA_* attributes
    public static final int IFLA_ADDRESS = 1;
    public static final int IFLA_BROADCAST = 2;
    public static final int IFLA_IFNAME = 3;
    public static final int IFLA_MTU = 4;
    public static final int IFLA_LINK = 5;
    /** The bridge (or bond) a port is enslaved to, by ifindex. */
    public static final int IFLA_MASTER = 10;
    public static final int IFLA_OPERSTATE = 16;
    public static final int IFLA_LINKINFO = 18;
    public static final int IFLA_NET_NS_PID = 19;
    public static final int IFLA_NET_NS_FD = 28;
    // IFLA_LINKINFO nests IFLA_INFO_*
    public static final int IFLA_INFO_KIND = 1;
    public static final int IFLA_INFO_DATA = 2;
    /** In a veth's IFLA_INFO_DATA: the peer, as an ifinfomsg followed by its attributes (linux/veth.h). */
    public static final int VETH_INFO_PEER = 1;

    /** Administratively up (ip link set up). */
    public boolean up() {
        return (flags & IFF_UP) != 0;
    }

    /** Up with carrier: the kernel will send through it. */
    public boolean lowerUp() {
        return (flags & IFF_LOWER_UP) != 0;
    }

    /** Decodes the RTM_NEWLINK the reply cursor is on. */
    static Link decode(NetlinkReply r) {
        NetlinkAttributes a = r.attributes(IFINFOMSG_SIZE);
        String kind = a.nested(IFLA_LINKINFO).string(IFLA_INFO_KIND);
        return new Link(r.payloadInt(4), a.string(IFLA_IFNAME), a.u32(IFLA_MTU, 0), a.macAddress(IFLA_ADDRESS),
                r.payloadInt(8), kind);
    }

    @Override
    public String toString() {
        return index + ": " + name + (up() ? " up" : " down") + " mtu " + mtu
                + (mac != null ? " link/ether " + mac : "") + (kind != null ? " " + kind : "");
    }
}
