package dev.cipherlane.linux;

import dev.cipherlane.net.MacAddress;
import java.net.InetAddress;

/**
 * An ARP (IPv4) or neighbour-discovery (IPv6) cache entry, as RTM_NEWNEIGH describes it
 * (rtnetlink(7), include/uapi/linux/neighbour.h). A pod's gateway gets a
 * {@link #NUD_PERMANENT} entry, so the pod never has to resolve it.
 *
 * @param index   interface
 * @param address NDA_DST
 * @param mac     NDA_LLADDR, null while unresolved
 * @param state   ndm_state: {@link #NUD_PERMANENT}, {@link #NUD_REACHABLE} ...
 */
public record Neighbour(int index, InetAddress address, MacAddress mac, int state) {
    /** struct ndmsg: u8 family, u8 pad1, u16 pad2, s32 ifindex, u16 state, u8 flags, u8 type. */
    static final int NDMSG_SIZE = 12;

    public static final int NDA_DST = 1;
    public static final int NDA_LLADDR = 2;

    public static final int NUD_INCOMPLETE = 0x01;
    public static final int NUD_REACHABLE = 0x02;
    public static final int NUD_STALE = 0x04;
    public static final int NUD_DELAY = 0x08;
    public static final int NUD_PROBE = 0x10;
    public static final int NUD_FAILED = 0x20;
    public static final int NUD_NOARP = 0x40;
    /** Static: never probed, never expires. */
    public static final int NUD_PERMANENT = 0x80;

    public boolean permanent() {
        return (state & NUD_PERMANENT) != 0;
    }

    /** Decodes the RTM_NEWNEIGH the reply cursor is on; null for other families (bridge fdb). */
    static Neighbour decode(NetlinkReply r) {
        int family = r.payloadByte(0);
        if (family != Sockets.AF_INET && family != Sockets.AF_INET6) {
            return null;
        }
        NetlinkAttributes a = r.attributes(NDMSG_SIZE);
        InetAddress address = a.inetAddress(NDA_DST);
        if (address == null) {
            return null;
        }
        return new Neighbour(r.payloadInt(4), address, a.macAddress(NDA_LLADDR), r.payloadShort(8));
    }

    @Override
    public String toString() {
        return address.getHostAddress() + " dev #" + index + (mac != null ? " lladdr " + mac : "")
                + " state 0x" + Integer.toHexString(state);
    }
}
