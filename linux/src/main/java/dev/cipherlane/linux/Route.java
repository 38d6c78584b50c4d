package dev.cipherlane.linux;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * An IPv4 or IPv6 route, to add or as dumped (rtnetlink(7), include/uapi/linux/rtnetlink.h).
 * A pod's routes are built with the factories:
 *
 * <pre>
 * Route.link(169.254.1.1, 32, tap)                 169.254.1.1 dev tap scope link
 * Route.defaultVia(169.254.1.1, tap).onlink()      default via 169.254.1.1 dev tap onlink
 * </pre>
 *
 * @param destination     network address (0.0.0.0 or :: with prefix 0 for the default route)
 * @param prefixLength    rtm_dst_len
 * @param gateway         RTA_GATEWAY, null for a directly connected route
 * @param outputInterface RTA_OIF, 0 for none
 * @param table           RTA_TABLE ({@link #RT_TABLE_MAIN} unless policy routing)
 * @param scope           rtm_scope: {@link #RT_SCOPE_UNIVERSE} for routes via a gateway,
 *                        {@link #RT_SCOPE_LINK} for directly connected ones (IPv4 only; IPv6
 *                        routes have no scope)
 * @param flags           rtm_flags: {@link #RTNH_F_ONLINK}
 * @param protocol        rtm_protocol: who installed it ({@link #RTPROT_STATIC} for ours)
 * @param type            rtm_type: {@link #RTN_UNICAST} ...
 * @param priority        RTA_PRIORITY (metric), 0 for none
 */
public record Route(InetAddress destination, int prefixLength, InetAddress gateway, int outputInterface,
                    int table, int scope, int flags, int protocol, int type, int priority) {
    /** struct rtmsg: family, dst_len, src_len, tos, table, protocol, scope, type (u8 each), u32 flags. */
    static final int RTMSG_SIZE = 12;

    public static final int RTA_DST = 1;
    public static final int RTA_SRC = 2;
    public static final int RTA_IIF = 3;
    public static final int RTA_OIF = 4;
    public static final int RTA_GATEWAY = 5;
    public static final int RTA_PRIORITY = 6;
    public static final int RTA_PREFSRC = 7;
    public static final int RTA_TABLE = 15;

    public static final int RT_TABLE_UNSPEC = 0;
    public static final int RT_TABLE_MAIN = 254;
    public static final int RT_TABLE_LOCAL = 255;

    public static final int RT_SCOPE_UNIVERSE = 0;
    public static final int RT_SCOPE_LINK = 253;
    public static final int RT_SCOPE_HOST = 254;
    /** In a delete: match any scope. */
    public static final int RT_SCOPE_NOWHERE = 255;

    public static final int RTPROT_UNSPEC = 0;
    public static final int RTPROT_KERNEL = 2;
    public static final int RTPROT_BOOT = 3;
    public static final int RTPROT_STATIC = 4;

    public static final int RTN_UNSPEC = 0;
    public static final int RTN_UNICAST = 1;
    public static final int RTN_LOCAL = 2;
    public static final int RTN_BROADCAST = 3;
    public static final int RTN_MULTICAST = 5;
    public static final int RTN_BLACKHOLE = 6;

    /** Trust that the gateway is on the link even though no route says so (ip route ... onlink). */
    public static final int RTNH_F_ONLINK = 4;

    public Route {
        if (destination == null) {
            throw new IllegalArgumentException("a route needs a destination");
        }
        IfAddress.checkPrefix(destination, prefixLength);
        if (gateway != null && IfAddress.familyOf(gateway) != IfAddress.familyOf(destination)) {
            throw new IllegalArgumentException("gateway " + gateway.getHostAddress() + " is not of the family of "
                    + destination.getHostAddress());
        }
        if (table < 0 || scope < 0 || scope > 255 || protocol < 0 || protocol > 255 || type < 0 || type > 255) {
            throw new IllegalArgumentException("table/scope/protocol/type out of range");
        }
    }

    /** A directly connected route: {@code destination/prefixLength dev oif scope link}. */
    public static Route link(InetAddress destination, int prefixLength, int outputInterface) {
        int scope = destination instanceof Inet4Address ? RT_SCOPE_LINK : RT_SCOPE_UNIVERSE;
        return new Route(destination, prefixLength, null, outputInterface, RT_TABLE_MAIN, scope, 0,
                RTPROT_STATIC, RTN_UNICAST, 0);
    }

    /** {@code destination/prefixLength via gateway dev oif}. */
    public static Route via(InetAddress destination, int prefixLength, InetAddress gateway, int outputInterface) {
        return new Route(destination, prefixLength, gateway, outputInterface, RT_TABLE_MAIN, RT_SCOPE_UNIVERSE, 0,
                RTPROT_STATIC, RTN_UNICAST, 0);
    }

    /** {@code default via gateway dev oif}, IPv4 or IPv6 as the gateway is. */
    public static Route defaultVia(InetAddress gateway, int outputInterface) {
        return via(any(IfAddress.familyOf(gateway)), 0, gateway, outputInterface);
    }

    /**
     * The same route with {@link #RTNH_F_ONLINK}. For IPv4 the kernel checks the gateway
     * against the namespace's local table (fib_check_nh_v4_gw), which exists only once an
     * address was added: before that it answers EINVAL "Nexthop has invalid gateway".
     */
    public Route onlink() {
        return new Route(destination, prefixLength, gateway, outputInterface, table, scope, flags | RTNH_F_ONLINK,
                protocol, type, priority);
    }

    public Route inTable(int table) {
        return new Route(destination, prefixLength, gateway, outputInterface, table, scope, flags, protocol, type,
                priority);
    }

    public Route withPriority(int priority) {
        return new Route(destination, prefixLength, gateway, outputInterface, table, scope, flags, protocol, type,
                priority);
    }

    public int family() {
        return IfAddress.familyOf(destination);
    }

    public boolean isDefault() {
        return prefixLength == 0;
    }

    public boolean isOnlink() {
        return (flags & RTNH_F_ONLINK) != 0;
    }

    /** 0.0.0.0 or :: */
    static InetAddress any(int family) {
        try {
            return InetAddress.getByAddress(new byte[family == Sockets.AF_INET ? 4 : 16]);
        } catch (UnknownHostException e) {
            throw new AssertionError("4 and 16 bytes are valid lengths", e);
        }
    }

    /** Decodes the RTM_NEWROUTE the reply cursor is on; null for families other than IPv4/IPv6. */
    static Route decode(NetlinkReply r) {
        int family = r.payloadByte(0);
        if (family != Sockets.AF_INET && family != Sockets.AF_INET6) {
            return null;
        }
        NetlinkAttributes a = r.attributes(RTMSG_SIZE);
        InetAddress destination = a.inetAddress(RTA_DST);
        if (destination == null) {
            destination = any(family);
        }
        return new Route(destination, r.payloadByte(1), a.inetAddress(RTA_GATEWAY), a.u32(RTA_OIF, 0),
                a.u32(RTA_TABLE, r.payloadByte(4)), r.payloadByte(6), r.payloadInt(8), r.payloadByte(5),
                r.payloadByte(7), a.u32(RTA_PRIORITY, 0));
    }

    /** In {@code ip route} words; {@code dev} is the interface's name or #index. */
    String describe(String dev) {
        StringBuilder s = new StringBuilder();
        s.append(isDefault() ? "default" : destination.getHostAddress() + "/" + prefixLength);
        if (gateway != null) {
            s.append(" via ").append(gateway.getHostAddress());
        }
        if (outputInterface != 0) {
            s.append(" dev ").append(dev);
        }
        if (table != RT_TABLE_MAIN) {
            s.append(" table ").append(table);
        }
        if (scope == RT_SCOPE_LINK) {
            s.append(" scope link");
        }
        if (isOnlink()) {
            s.append(" onlink");
        }
        if (priority != 0) {
            s.append(" metric ").append(priority);
        }
        return s.toString();
    }

    @Override
    public String toString() {
        return describe("#" + outputInterface);
    }
}
