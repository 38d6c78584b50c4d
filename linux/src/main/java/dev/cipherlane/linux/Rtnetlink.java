package dev.cipherlane.linux;

import dev.cipherlane.net.MacAddress;
import java.lang.foreign.Arena;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Configures links, addresses, routes and neighbours over NETLINK_ROUTE (rtnetlink(7)),
 * what {@code ip link/addr/route/neigh} do, without running {@code ip}.
 *
 * <p><b>Namespace.</b> The socket belongs to the network namespace of the thread that
 * opened it, and so does everything done through it, from whichever thread. To configure
 * a pod: {@code Rtnetlink.open(podNamespace)}, which opens it inside
 * {@link NetNamespace#runIn}. Interface indexes are per namespace too.
 *
 * <p><b>Errors.</b> Every change is acknowledged by the kernel before the call returns. A
 * refusal is a {@link LinuxException} whose call names the operation in {@code ip}-like
 * words ({@code RTM_NEWADDR 10.0.0.1/32 dev tap0}), with the errno, and the kernel's own
 * explanation (extended ack) as its detail when it gave one.
 *
 * <p>Calls are serialized on the instance. Changes allocate a little (descriptions are
 * built only on failure); dumps allocate their results. Control path only.
 */
public final class Rtnetlink implements AutoCloseable {
    // Message types (include/uapi/linux/rtnetlink.h)
    public static final int RTM_NEWLINK = 16;
    public static final int RTM_DELLINK = 17;
    public static final int RTM_GETLINK = 18;
    public static final int RTM_NEWADDR = 20;
    public static final int RTM_DELADDR = 21;
    public static final int RTM_GETADDR = 22;
    public static final int RTM_NEWROUTE = 24;
    public static final int RTM_DELROUTE = 25;
    public static final int RTM_GETROUTE = 26;
    public static final int RTM_NEWNEIGH = 28;
    public static final int RTM_DELNEIGH = 29;
    public static final int RTM_GETNEIGH = 30;

    /** Requests are small; the largest here (a veth pair) is under 100 bytes. */
    private static final int REQUEST_BUFFER_SIZE = 4096;
    /** Dumps interrupted by concurrent changes (NLM_F_DUMP_INTR) are redone this often. */
    private static final int DUMP_ATTEMPTS = 8;

    private static final int CREATE = LinkRequests.CREATE;
    private static final int CREATE_OR_REPLACE = Netlink.NLM_F_CREATE | Netlink.NLM_F_REPLACE;

    private final NetlinkSocket socket;
    private final NetlinkMessage tx;

    private Rtnetlink(NetlinkSocket socket) {
        this.socket = socket;
        this.tx = NetlinkMessage.allocate(Arena.ofAuto(), REQUEST_BUFFER_SIZE);
    }

    /** A client for the calling thread's network namespace. */
    public static Rtnetlink open() throws LinuxException {
        return new Rtnetlink(NetlinkSocket.open(Netlink.NETLINK_ROUTE));
    }

    /** A client for {@code namespace}, usable from any thread afterwards. */
    public static Rtnetlink open(NetNamespace namespace) throws LinuxException {
        return namespace.runIn(Rtnetlink::open);
    }

    // ---- links --------------------------------------------------------------------------

    /** The ifindex of interface {@code name}; ENODEV when there is none. */
    public synchronized int linkIndex(String name) throws LinuxException {
        return link(name).index();
    }

    /** Interface {@code name} (RTM_GETLINK by IFLA_IFNAME). */
    public synchronized Link link(String name) throws LinuxException {
        IfReq.checkName(name);
        tx.begin(RTM_GETLINK, 0);
        ifinfomsg(0, 0, 0);
        tx.attributeString(Link.IFLA_IFNAME, name);
        return getLink(() -> "RTM_GETLINK dev " + name);
    }

    /** Interface {@code index}. */
    public synchronized Link link(int index) throws LinuxException {
        tx.begin(RTM_GETLINK, 0);
        ifinfomsg(index, 0, 0);
        return getLink(() -> "RTM_GETLINK dev #" + index);
    }

    private Link getLink(Supplier<String> what) throws LinuxException {
        tx.finish();
        Link[] found = new Link[1];
        socket.request(tx, what, r -> {
            if (r.type() == RTM_NEWLINK) {
                found[0] = Link.decode(r);
            }
        });
        if (found[0] == null) {
            throw new IllegalStateException(what.get() + " was acknowledged without an answer");
        }
        return found[0];
    }

    /** Every interface in the namespace. */
    public synchronized List<Link> links() throws LinuxException {
        tx.begin(RTM_GETLINK, 0);
        ifinfomsg(0, 0, 0);
        return dump("RTM_GETLINK dump", RTM_NEWLINK, Link::decode, l -> true);
    }

    public synchronized void linkSetUp(int index) throws LinuxException {
        tx.begin(RTM_NEWLINK, 0);
        ifinfomsg(index, Link.IFF_UP, Link.IFF_UP);
        ack(() -> "RTM_NEWLINK dev " + dev(index) + " up");
    }

    public synchronized void linkSetDown(int index) throws LinuxException {
        tx.begin(RTM_NEWLINK, 0);
        ifinfomsg(index, 0, Link.IFF_UP);
        ack(() -> "RTM_NEWLINK dev " + dev(index) + " down");
    }

    public synchronized void linkSetMtu(int index, int mtu) throws LinuxException {
        tx.begin(RTM_NEWLINK, 0);
        ifinfomsg(index, 0, 0);
        tx.attributeU32(Link.IFLA_MTU, mtu);
        ack(() -> "RTM_NEWLINK dev " + dev(index) + " mtu " + mtu);
    }

    public synchronized void linkSetMac(int index, MacAddress mac) throws LinuxException {
        tx.begin(RTM_NEWLINK, 0);
        ifinfomsg(index, 0, 0);
        tx.attribute(Link.IFLA_ADDRESS, mac.octets());
        ack(() -> "RTM_NEWLINK dev " + dev(index) + " address " + mac);
    }

    /** Renames a link; Linux refuses (EBUSY) while it is up. */
    public synchronized void linkSetName(int index, String name) throws LinuxException {
        IfReq.checkName(name);
        tx.begin(RTM_NEWLINK, 0);
        ifinfomsg(index, 0, 0);
        tx.attributeString(Link.IFLA_IFNAME, name);
        ack(() -> "RTM_NEWLINK dev " + dev(index) + " name " + name);
    }

    /**
     * Moves a link into the network namespace open as {@code namespaceFd} (IFLA_NET_NS_FD).
     * It arrives down, without addresses, possibly with another index: look it up there by
     * name.
     */
    public synchronized void linkSetNetns(int index, int namespaceFd) throws LinuxException {
        tx.begin(RTM_NEWLINK, 0);
        ifinfomsg(index, 0, 0);
        tx.attributeU32(Link.IFLA_NET_NS_FD, namespaceFd);
        ack(() -> "RTM_NEWLINK dev " + dev(index) + " netns fd " + namespaceFd);
    }

    public synchronized void linkSetNetns(int index, NetNamespace namespace) throws LinuxException {
        linkSetNetns(index, namespace.fd());
    }

    /** Deletes a link (a persistent tap too, even with queues still attached; a veth with its peer). */
    public synchronized void linkDelete(int index) throws LinuxException {
        tx.begin(RTM_DELLINK, 0);
        ifinfomsg(index, 0, 0);
        ack(() -> "RTM_DELLINK dev " + dev(index));
    }

    /** Creates a veth pair {@code name} / {@code peer} (both down) in this namespace. */
    public synchronized void vethAdd(String name, String peer) throws LinuxException {
        LinkRequests.veth(tx, name, peer, 0, -1);
        ack(() -> "RTM_NEWLINK " + name + " type veth peer " + peer);
    }

    /**
     * Creates a veth pair, both ends down with MTU {@code mtu} (0: the default): {@code name}
     * in this namespace, {@code peer} in {@code peerNamespace} (made there directly, as
     * {@code ip link add ... peer name <peer> netns <ns>} does, so the two ends may share a
     * name).
     */
    public synchronized void vethAdd(String name, String peer, int mtu, NetNamespace peerNamespace)
            throws LinuxException {
        LinkRequests.veth(tx, name, peer, mtu, peerNamespace.fd());
        ack(() -> "RTM_NEWLINK " + name + (mtu > 0 ? " mtu " + mtu : "") + " type veth peer " + peer + " netns "
                + peerNamespace.path());
    }

    /** Creates a bridge {@code name} (down, no ports) in this namespace. */
    public synchronized void bridgeAdd(String name) throws LinuxException {
        LinkRequests.bridge(tx, name);
        ack(() -> "RTM_NEWLINK " + name + " type bridge");
    }

    /** Makes link {@code index} a port of bridge {@code master}; 0 takes it out again. */
    public synchronized void linkSetMaster(int index, int master) throws LinuxException {
        LinkRequests.master(tx, index, master);
        ack(() -> "RTM_NEWLINK dev " + dev(index) + " master " + (master == 0 ? "none" : dev(master)));
    }

    private void ifinfomsg(int index, int flags, int change) {
        LinkRequests.ifinfomsg(tx, index, flags, change);
    }

    // ---- addresses ----------------------------------------------------------------------

    /** Adds {@code address/prefixLength} to interface {@code index}; EEXIST if it is there. */
    public synchronized void addressAdd(int index, InetAddress address, int prefixLength) throws LinuxException {
        addressAdd(index, address, prefixLength, 0);
    }

    /**
     * As {@link #addressAdd(int, InetAddress, int)} with IFA_F_* {@code flags}; a pod's IPv6
     * address takes {@link IfAddress#IFA_F_NODAD} so it can be used before DAD would end.
     * Even so, IPv6 installs the address's local route, and so accepts packets for it, only
     * once the link is operationally up (carrier plus the kernel's linkwatch, which can lag
     * {@link #linkSetUp} by up to a second); it shows in {@link #routes} as
     * {@link Route#RTN_LOCAL} then.
     */
    public synchronized void addressAdd(int index, InetAddress address, int prefixLength, int flags)
            throws LinuxException {
        IfAddress.checkPrefix(address, prefixLength);
        tx.begin(RTM_NEWADDR, CREATE);
        ifaddrmsg(index, address, prefixLength, flags);
        ack(() -> "RTM_NEWADDR " + address.getHostAddress() + "/" + prefixLength + " dev " + dev(index));
    }

    public synchronized void addressDelete(int index, InetAddress address, int prefixLength) throws LinuxException {
        IfAddress.checkPrefix(address, prefixLength);
        tx.begin(RTM_DELADDR, 0);
        ifaddrmsg(index, address, prefixLength, 0);
        ack(() -> "RTM_DELADDR " + address.getHostAddress() + "/" + prefixLength + " dev " + dev(index));
    }

    private void ifaddrmsg(int index, InetAddress address, int prefixLength, int flags) {
        int h = tx.reserve(IfAddress.IFADDRMSG_SIZE);
        tx.putByte(h, IfAddress.familyOf(address)).putByte(h + 1, prefixLength).putByte(h + 2, flags & 0xff)
                .putByte(h + 3, Route.RT_SCOPE_UNIVERSE).putInt(h + 4, index);
        // IFA_LOCAL is the interface's own address; IFA_ADDRESS equal to it means "no peer".
        byte[] raw = address.getAddress();
        tx.attribute(IfAddress.IFA_LOCAL, raw);
        tx.attribute(IfAddress.IFA_ADDRESS, raw);
        if (flags != 0) {
            tx.attributeU32(IfAddress.IFA_FLAGS, flags);
        }
    }

    /** The IPv4 and IPv6 addresses of interface {@code index} (0: of all interfaces). */
    public synchronized List<IfAddress> addresses(int index) throws LinuxException {
        tx.begin(RTM_GETADDR, 0);
        int h = tx.reserve(IfAddress.IFADDRMSG_SIZE);
        tx.putByte(h, Sockets.AF_UNSPEC);
        return dump("RTM_GETADDR dump", RTM_NEWADDR, IfAddress::decode, a -> index == 0 || a.index() == index);
    }

    // ---- routes -------------------------------------------------------------------------

    /** Adds a route; EEXIST if the same one is there. */
    public synchronized void routeAdd(Route route) throws LinuxException {
        tx.begin(RTM_NEWROUTE, CREATE);
        rtmsg(route, false);
        ack(() -> "RTM_NEWROUTE " + route.describe(dev(route.outputInterface())));
    }

    /** Adds a route or replaces the one with the same destination (ip route replace). */
    public synchronized void routeReplace(Route route) throws LinuxException {
        tx.begin(RTM_NEWROUTE, CREATE_OR_REPLACE);
        rtmsg(route, false);
        ack(() -> "RTM_NEWROUTE " + route.describe(dev(route.outputInterface())) + " (replace)");
    }

    /**
     * Deletes the route matching {@code route}'s destination, table, gateway and output
     * interface, whatever its scope, protocol and type.
     */
    public synchronized void routeDelete(Route route) throws LinuxException {
        tx.begin(RTM_DELROUTE, 0);
        rtmsg(route, true);
        ack(() -> "RTM_DELROUTE " + route.describe(dev(route.outputInterface())));
    }

    private void rtmsg(Route route, boolean delete) {
        int h = tx.reserve(Route.RTMSG_SIZE);
        int table = route.table();
        tx.putByte(h, route.family()).putByte(h + 1, route.prefixLength())
                .putByte(h + 4, table < 256 ? table : Route.RT_TABLE_UNSPEC);
        if (delete) {
            // Zero protocol and type, scope "nowhere": wildcards in fib_table_delete.
            tx.putByte(h + 6, Route.RT_SCOPE_NOWHERE);
        } else {
            tx.putByte(h + 5, route.protocol()).putByte(h + 6, route.scope()).putByte(h + 7, route.type())
                    .putInt(h + 8, route.flags());
        }
        tx.attributeU32(Route.RTA_TABLE, table);
        if (route.prefixLength() > 0) {
            tx.attribute(Route.RTA_DST, route.destination().getAddress());
        }
        if (route.gateway() != null) {
            tx.attribute(Route.RTA_GATEWAY, route.gateway().getAddress());
        }
        if (route.outputInterface() != 0) {
            tx.attributeU32(Route.RTA_OIF, route.outputInterface());
        }
        if (route.priority() != 0) {
            tx.attributeU32(Route.RTA_PRIORITY, route.priority());
        }
    }

    /**
     * The routes of {@code family} ({@link Sockets#AF_INET}, {@link Sockets#AF_INET6}) in
     * every table, the kernel's local and IPv6 multicast ones included.
     */
    public synchronized List<Route> routes(int family) throws LinuxException {
        if (family != Sockets.AF_INET && family != Sockets.AF_INET6) {
            throw new IllegalArgumentException("family must be AF_INET or AF_INET6, got " + family);
        }
        tx.begin(RTM_GETROUTE, 0);
        int h = tx.reserve(Route.RTMSG_SIZE);
        tx.putByte(h, family);
        return dump("RTM_GETROUTE dump", RTM_NEWROUTE, Route::decode, r -> r.family() == family);
    }

    /** The IPv4 routes, then the IPv6 ones, of every table. */
    public synchronized List<Route> routes() throws LinuxException {
        List<Route> all = new ArrayList<>(routes(Sockets.AF_INET));
        all.addAll(routes(Sockets.AF_INET6));
        return all;
    }

    // ---- neighbours ---------------------------------------------------------------------

    /** Adds a permanent neighbour entry; EEXIST if there is an entry for {@code address}. */
    public synchronized void neighbourAdd(int index, InetAddress address, MacAddress mac) throws LinuxException {
        tx.begin(RTM_NEWNEIGH, CREATE);
        ndmsg(index, address, Neighbour.NUD_PERMANENT);
        tx.attribute(Neighbour.NDA_LLADDR, mac.octets());
        ack(() -> "RTM_NEWNEIGH " + address.getHostAddress() + " lladdr " + mac + " dev " + dev(index) + " permanent");
    }

    /** Makes {@code address} a permanent neighbour at {@code mac}, whatever entry was there. */
    public synchronized void neighbourReplace(int index, InetAddress address, MacAddress mac) throws LinuxException {
        tx.begin(RTM_NEWNEIGH, CREATE_OR_REPLACE);
        ndmsg(index, address, Neighbour.NUD_PERMANENT);
        tx.attribute(Neighbour.NDA_LLADDR, mac.octets());
        ack(() -> "RTM_NEWNEIGH " + address.getHostAddress() + " lladdr " + mac + " dev " + dev(index)
                + " permanent (replace)");
    }

    public synchronized void neighbourDelete(int index, InetAddress address) throws LinuxException {
        tx.begin(RTM_DELNEIGH, 0);
        ndmsg(index, address, 0);
        ack(() -> "RTM_DELNEIGH " + address.getHostAddress() + " dev " + dev(index));
    }

    private void ndmsg(int index, InetAddress address, int state) {
        int h = tx.reserve(Neighbour.NDMSG_SIZE);
        tx.putByte(h, IfAddress.familyOf(address)).putInt(h + 4, index).putShort(h + 8, state);
        tx.attribute(Neighbour.NDA_DST, address.getAddress());
    }

    /** The IPv4 and IPv6 neighbour entries of interface {@code index} (0: of all). */
    public synchronized List<Neighbour> neighbours(int index) throws LinuxException {
        tx.begin(RTM_GETNEIGH, 0);
        int h = tx.reserve(Neighbour.NDMSG_SIZE);
        tx.putByte(h, Sockets.AF_UNSPEC);
        return dump("RTM_GETNEIGH dump", RTM_NEWNEIGH, Neighbour::decode, n -> index == 0 || n.index() == index);
    }

    // ---- plumbing -----------------------------------------------------------------------

    private void ack(Supplier<String> what) throws LinuxException {
        tx.finish();
        socket.request(tx, what, null);
    }

    /**
     * Dumps with the request built in {@code tx}, decoding messages of {@code type} and
     * keeping those {@code keep} accepts; redone while the kernel reports it interrupted.
     */
    private <T> List<T> dump(String what, int type, Function<NetlinkReply, T> decode, Predicate<T> keep)
            throws LinuxException {
        tx.finish();
        for (int attempt = 1; attempt <= DUMP_ATTEMPTS; attempt++) {
            List<T> out = new ArrayList<>();
            boolean consistent = socket.dump(tx, () -> what, r -> {
                if (r.type() == type) {
                    T item = decode.apply(r);
                    if (item != null && keep.test(item)) {
                        out.add(item);
                    }
                }
            });
            if (consistent) {
                return out;
            }
        }
        throw new LinuxException(what, Errno.EAGAIN, "interrupted by changes " + DUMP_ATTEMPTS + " times");
    }

    /**
     * An interface for an error message: its name if the kernel still knows the index, else
     * {@code #index}. Runs only while an error is being reported.
     */
    private String dev(int index) {
        try {
            return link(index).name();
        } catch (LinuxException | RuntimeException e) {
            return "#" + index;
        }
    }

    /** The underlying socket's port id (for diagnostics). */
    public int portId() {
        return socket.portId();
    }

    @Override
    public void close() throws LinuxException {
        socket.close();
    }
}
