package dev.cipherlane.linux;

/**
 * The RTM_NEWLINK requests that create links or tie them together, built into a
 * {@link NetlinkMessage} for {@link Rtnetlink} to send (and for tests to read byte by
 * byte). Layouts from include/uapi/linux/if_link.h and linux/veth.h, in the order iproute2's
 * {@code ip link add} sends them.
 */
final class LinkRequests {
    private LinkRequests() {}

    /** Flags of a request that must create something new: EEXIST if it is there. */
    static final int CREATE = Netlink.NLM_F_CREATE | Netlink.NLM_F_EXCL;

    /** struct ifinfomsg for link {@code index}: family AF_UNSPEC, ifi_flags under ifi_change. */
    static void ifinfomsg(NetlinkMessage tx, int index, int flags, int change) {
        int h = tx.reserve(Link.IFINFOMSG_SIZE);
        tx.putByte(h, Sockets.AF_UNSPEC).putInt(h + 4, index).putInt(h + 8, flags).putInt(h + 12, change);
    }

    /**
     * {@code ip link add <name> [mtu <mtu>] type veth peer name <peer> [mtu <mtu>] [netns <fd>]}:
     * IFLA_LINKINFO { IFLA_INFO_KIND "veth", IFLA_INFO_DATA { VETH_INFO_PEER { ifinfomsg,
     * the peer's IFLA_IFNAME, IFLA_MTU, IFLA_NET_NS_FD } } }.
     *
     * @param mtu          both ends' MTU, 0 for the kernel's default (1500)
     * @param peerNamespace descriptor of the namespace the peer is created in, -1 for this one
     */
    static void veth(NetlinkMessage tx, String name, String peer, int mtu, int peerNamespace) {
        IfReq.checkName(name);
        IfReq.checkName(peer);
        if (mtu < 0) {
            throw new IllegalArgumentException("mtu " + mtu);
        }
        tx.begin(Rtnetlink.RTM_NEWLINK, CREATE);
        ifinfomsg(tx, 0, 0, 0);
        tx.attributeString(Link.IFLA_IFNAME, name);
        if (mtu > 0) {
            tx.attributeU32(Link.IFLA_MTU, mtu);
        }
        int linkInfo = tx.beginNested(Link.IFLA_LINKINFO);
        tx.attributeString(Link.IFLA_INFO_KIND, "veth");
        int data = tx.beginNested(Link.IFLA_INFO_DATA);
        // VETH_INFO_PEER holds a whole ifinfomsg and then the peer's own attributes.
        int peerInfo = tx.beginNested(Link.VETH_INFO_PEER);
        tx.reserve(Link.IFINFOMSG_SIZE);
        tx.attributeString(Link.IFLA_IFNAME, peer);
        if (mtu > 0) {
            tx.attributeU32(Link.IFLA_MTU, mtu);
        }
        if (peerNamespace >= 0) {
            tx.attributeU32(Link.IFLA_NET_NS_FD, peerNamespace);
        }
        tx.endNested(peerInfo).endNested(data).endNested(linkInfo);
    }

    /** {@code ip link add <name> type bridge}: IFLA_LINKINFO { IFLA_INFO_KIND "bridge" }. */
    static void bridge(NetlinkMessage tx, String name) {
        IfReq.checkName(name);
        tx.begin(Rtnetlink.RTM_NEWLINK, CREATE);
        ifinfomsg(tx, 0, 0, 0);
        tx.attributeString(Link.IFLA_IFNAME, name);
        int linkInfo = tx.beginNested(Link.IFLA_LINKINFO);
        tx.attributeString(Link.IFLA_INFO_KIND, "bridge");
        tx.endNested(linkInfo);
    }

    /** {@code ip link set <index> master <master>} (IFLA_MASTER; 0 releases the port: nomaster). */
    static void master(NetlinkMessage tx, int index, int master) {
        tx.begin(Rtnetlink.RTM_NEWLINK, 0);
        ifinfomsg(tx, index, 0, 0);
        tx.attributeU32(Link.IFLA_MASTER, master);
    }
}
