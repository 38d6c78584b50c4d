package dev.cipherlane.testbed;

import dev.cipherlane.net.MacAddress;
import dev.cipherlane.linux.LinuxException;
import dev.cipherlane.linux.NetNamespace;
import dev.cipherlane.linux.Neighbour;
import dev.cipherlane.linux.Route;
import dev.cipherlane.linux.Rtnetlink;
import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * A node namespace {@code clup-<random>} whose uplink {@link #UPLINK} is a veth {@link Wire}
 * to a peer namespace {@code clpeer-<random>}. The node has 10.252.0.1/24, fd52::1/64 and a
 * default route via 10.252.0.254 (a permanent neighbour, so the route is usable; protocol
 * "boot", as {@code ip route add} leaves it, like an administrator's route); the peer has
 * 10.252.0.2/24 and no IPv6. Duplicate address detection is off in the node namespace so
 * that no address is still "tentative" when a test looks. {@link #close()} deletes both
 * namespaces.
 */
public final class UplinkTestbed implements AutoCloseable {
    public static final String UPLINK = "up0";
    public static final String PEER_LINK = "pe0";
    public static final String GATEWAY = "10.252.0.254";
    private static final MacAddress GATEWAY_MAC = MacAddress.parse("02:00:00:00:00:fe");
    private static final String NODE_ADDRESS = "10.252.0.1";

    private final List<Namespace> namespaces = new ArrayList<>();
    private Namespace node;
    private Namespace peer;
    private Wire wire;

    private UplinkTestbed() {}

    public static UplinkTestbed create() throws Exception {
        String tag = UUID.randomUUID().toString().substring(0, 8);
        UplinkTestbed bed = new UplinkTestbed();
        try {
            bed.node = bed.add("clup-" + tag);
            bed.peer = bed.add("clpeer-" + tag);
            bed.node.sysctl("net.ipv6.conf.all.accept_dad", "0");
            bed.node.sysctl("net.ipv6.conf.default.accept_dad", "0");
            bed.peer.disableIpv6();
            bed.wire = Wire.join(bed.node, UPLINK, bed.peer, PEER_LINK, 0).up();
            Rtnetlink n = bed.node.rtnetlink();
            int up = bed.wire.indexA();
            n.addressAdd(up, InetAddress.ofLiteral(NODE_ADDRESS), 24);
            n.addressAdd(up, InetAddress.ofLiteral("fd52::1"), 64);
            InetAddress gateway = InetAddress.ofLiteral(GATEWAY);
            n.neighbourAdd(up, gateway, GATEWAY_MAC);
            n.routeAdd(new Route(InetAddress.ofLiteral("0.0.0.0"), 0, gateway, up, Route.RT_TABLE_MAIN,
                    Route.RT_SCOPE_UNIVERSE, 0, Route.RTPROT_BOOT, Route.RTN_UNICAST, 0));
            bed.peer.rtnetlink().addressAdd(bed.wire.indexB(), InetAddress.ofLiteral("10.252.0.2"), 24);
            return bed;
        } catch (Exception | Error e) {
            try {
                bed.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    private Namespace add(String name) throws IOException {
        Namespace ns = Namespace.create(name);
        namespaces.add(ns);
        return ns;
    }

    /** The node's namespace, whose uplink is {@link #UPLINK}. */
    public Namespace node() {
        return node;
    }

    /** The peer's namespace at the other end of the wire ({@link #PEER_LINK}). */
    public Namespace peer() {
        return peer;
    }

    /** The node's namespace, open: to run the code under test in with {@link NetNamespace#runIn}. */
    public NetNamespace nodeNs() {
        return node.handle();
    }

    /**
     * Whether one ping from the peer to the node's 10.252.0.1 gets an answer within two
     * seconds. The peer's neighbour cache is flushed first: an ARP resolution that failed
     * while the uplink was hidden would otherwise still be running out its probes, and
     * fail this ping too.
     */
    public boolean peerPingAnswered() throws IOException, InterruptedException {
        Rtnetlink p = peer.rtnetlink();
        for (Neighbour n : p.neighbours(wire.indexB())) {
            if ((n.state() & (Neighbour.NUD_PERMANENT | Neighbour.NUD_NOARP)) == 0) {
                try {
                    p.neighbourDelete(wire.indexB(), n.address());
                } catch (LinuxException goneMeanwhile) {
                    // Expired between the dump and the delete: flushed all the same.
                }
            }
        }
        return Ping.run(peer.name(), NODE_ADDRESS, 1).received() > 0;
    }

    @Override
    public void close() throws IOException {
        List<Exception> failures = new ArrayList<>();
        for (Namespace ns : namespaces.reversed()) {
            try {
                ns.close();
            } catch (LinuxException e) {
                failures.add(e);
            }
        }
        if (!failures.isEmpty()) {
            IOException e = new IOException("cleaning up " + namespaces);
            failures.forEach(e::addSuppressed);
            throw e;
        }
    }
}
