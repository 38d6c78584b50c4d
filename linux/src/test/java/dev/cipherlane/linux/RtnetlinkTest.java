package dev.cipherlane.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cipherlane.net.MacAddress;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Every rtnetlink change against a tap in a namespace of the test's own, each checked with
 * {@code ip} (an independent reader) and with our own dumps.
 */
@Tag("root")
class RtnetlinkTest {
    private static final String TAP = "tap0";
    private static final MacAddress POD_MAC = MacAddress.parse("02:00:00:00:aa:01");
    private static final MacAddress GW_MAC = MacAddress.parse("02:00:00:00:ee:01");

    private TestNamespace ns;
    private TestNamespace other;
    private NetNamespace handle;
    private Rtnetlink rtnl;
    private TapQueues tap;
    private int index;

    private static InetAddress ip(String literal) {
        return InetAddress.ofLiteral(literal);
    }

    @BeforeEach
    void podWithATap() throws Exception {
        Assumptions.assumeTrue(Shell.isRoot(), "needs root for netlink changes and ip netns");
        ns = TestNamespace.create();
        handle = ns.open();
        rtnl = Rtnetlink.open(handle);
        // Not persistent: the tap goes with its queues, and with the namespace in any case.
        tap = handle.runIn(() -> TapQueues.open(new TapSpec(TAP, 2, 12, TapSpec.DEFAULT_OFFLOADS, false)));
        index = rtnl.linkIndex(TAP);
    }

    @AfterEach
    void cleanUp() throws Exception {
        try {
            if (tap != null) {
                tap.close();
            }
            if (rtnl != null) {
                rtnl.close();
            }
            if (handle != null) {
                handle.close();
            }
        } finally {
            try {
                if (ns != null) {
                    ns.close();
                }
            } finally {
                if (other != null) {
                    other.close();
                }
            }
        }
    }

    @Test
    void linkMacMtuAndUpDown() throws Exception {
        rtnl.linkSetMac(index, POD_MAC);
        rtnl.linkSetMtu(index, 9000);
        rtnl.linkSetUp(index);

        Link link = rtnl.link(index);
        assertEquals(TAP, link.name());
        assertEquals(9000, link.mtu());
        assertEquals(POD_MAC, link.mac());
        assertTrue(link.up());
        assertTrue(link.lowerUp(), "queues attached, so the carrier is on");
        assertEquals("tun", link.kind());
        assertTrue(rtnl.links().contains(link));

        String shown = ns.ip("link", "show", "dev", TAP);
        assertTrue(shown.contains("mtu 9000"), shown);
        assertTrue(shown.contains("link/ether 02:00:00:00:aa:01"), shown);
        assertTrue(shown.contains(",UP,"), shown);

        rtnl.linkSetDown(index);
        assertFalse(rtnl.link(TAP).up());
        assertTrue(ns.ip("link", "show", "dev", TAP).contains("state DOWN"));
    }

    @Test
    void linkRename() throws Exception {
        rtnl.linkSetName(index, "pod-eth0");
        assertEquals(index, rtnl.linkIndex("pod-eth0"));
        assertTrue(ns.hasLink("pod-eth0"));
        assertFalse(ns.hasLink(TAP));
    }

    @Test
    void addressesIpv4AndIpv6WithoutDad() throws Exception {
        rtnl.linkSetUp(index);
        rtnl.addressAdd(index, ip("10.1.0.5"), 32);
        rtnl.addressAdd(index, ip("2001:db8:1::5"), 128, IfAddress.IFA_F_NODAD);

        String v4 = ns.ip("-4", "addr", "show", "dev", TAP);
        assertTrue(v4.contains("inet 10.1.0.5/32 scope global " + TAP), v4);
        String v6 = ns.ip("-6", "addr", "show", "dev", TAP);
        assertTrue(v6.contains("inet6 2001:db8:1::5/128 scope global nodad"), v6);
        assertFalse(v6.lines().filter(l -> l.contains("2001:db8:1::5")).anyMatch(l -> l.contains("tentative")), v6);

        List<IfAddress> dumped = rtnl.addresses(index);
        IfAddress a4 = dumped.stream().filter(a -> a.address().equals(ip("10.1.0.5"))).findFirst().orElseThrow();
        assertEquals(32, a4.prefixLength());
        assertEquals(Route.RT_SCOPE_UNIVERSE, a4.scope());
        IfAddress a6 = dumped.stream().filter(a -> a.address().equals(ip("2001:db8:1::5"))).findFirst().orElseThrow();
        assertEquals(128, a6.prefixLength());
        assertEquals(IfAddress.IFA_F_NODAD, a6.flags() & (IfAddress.IFA_F_NODAD | IfAddress.IFA_F_TENTATIVE));
        assertTrue(dumped.stream().allMatch(a -> a.index() == index));
        rtnl.linkSetUp(rtnl.linkIndex("lo"));
        assertTrue(rtnl.addresses(0).stream().anyMatch(a -> a.address().equals(ip("127.0.0.1"))),
                "index 0 dumps every interface's addresses");
    }

    @Test
    void addingAnAddressTwiceIsEexistNamingTheOperation() throws Exception {
        rtnl.addressAdd(index, ip("10.1.0.5"), 32);
        LinuxException e = assertThrows(LinuxException.class, () -> rtnl.addressAdd(index, ip("10.1.0.5"), 32));
        assertEquals(Errno.EEXIST, e.errno());
        assertEquals("RTM_NEWADDR 10.1.0.5/32 dev tap0", e.call());
        assertTrue(e.getMessage().startsWith("RTM_NEWADDR 10.1.0.5/32 dev tap0: EEXIST (17): File exists"),
                e.getMessage());

        rtnl.addressDelete(index, ip("10.1.0.5"), 32);
        assertFalse(ns.ip("-4", "addr", "show", "dev", TAP).contains("10.1.0.5"));
        LinuxException gone = assertThrows(LinuxException.class,
                () -> rtnl.addressDelete(index, ip("10.1.0.5"), 32));
        assertEquals(Errno.EADDRNOTAVAIL, gone.errno());
        assertEquals("RTM_DELADDR 10.1.0.5/32 dev tap0", gone.call());
    }

    @Test
    void podRoutesViaALinkLocalGateway() throws Exception {
        rtnl.linkSetUp(index);
        rtnl.addressAdd(index, ip("10.1.0.5"), 32);
        rtnl.routeAdd(Route.link(ip("169.254.1.1"), 32, index));
        rtnl.routeAdd(Route.defaultVia(ip("169.254.1.1"), index).onlink());
        rtnl.routeAdd(Route.defaultVia(ip("fe80::1"), index));

        String v4 = ns.ip("-4", "route", "show");
        assertTrue(v4.contains("default via 169.254.1.1 dev tap0 proto static onlink"), v4);
        assertTrue(v4.contains("169.254.1.1 dev tap0 proto static scope link"), v4);
        String v6 = ns.ip("-6", "route", "show");
        assertTrue(v6.contains("default via fe80::1 dev tap0 proto static"), v6);

        Route dflt = rtnl.routes(Sockets.AF_INET).stream().filter(Route::isDefault).findFirst().orElseThrow();
        assertEquals(ip("169.254.1.1"), dflt.gateway());
        assertEquals(index, dflt.outputInterface());
        assertTrue(dflt.isOnlink());
        assertEquals(Route.RT_TABLE_MAIN, dflt.table());
        assertEquals(Route.RTPROT_STATIC, dflt.protocol());
        assertEquals(Route.RTN_UNICAST, dflt.type());
        Route link = rtnl.routes(Sockets.AF_INET).stream()
                .filter(r -> r.destination().equals(ip("169.254.1.1")) && r.table() == Route.RT_TABLE_MAIN)
                .findFirst().orElseThrow();
        assertEquals(32, link.prefixLength());
        assertEquals(Route.RT_SCOPE_LINK, link.scope());
        assertNull(link.gateway());
        Route dflt6 = rtnl.routes(Sockets.AF_INET6).stream().filter(Route::isDefault).findFirst().orElseThrow();
        assertEquals(ip("fe80::1"), dflt6.gateway());
        assertEquals(ip("::"), dflt6.destination());
        List<Route> both = rtnl.routes();
        assertTrue(both.contains(dflt) && both.contains(dflt6));
    }

    @Test
    void routeReplaceDeleteAndTheirErrors() throws Exception {
        rtnl.linkSetUp(index);
        // The address comes first, as in a pod: an onlink gateway is checked against the local
        // table, which a namespace only has once it has an address.
        rtnl.addressAdd(index, ip("10.1.0.5"), 32);
        rtnl.routeAdd(Route.defaultVia(ip("169.254.1.1"), index).onlink());
        LinuxException twice = assertThrows(LinuxException.class,
                () -> rtnl.routeAdd(Route.defaultVia(ip("169.254.1.1"), index).onlink()));
        assertEquals(Errno.EEXIST, twice.errno());
        assertEquals("RTM_NEWROUTE default via 169.254.1.1 dev tap0 onlink", twice.call());

        rtnl.routeReplace(Route.defaultVia(ip("169.254.1.2"), index).onlink());
        String v4 = ns.ip("-4", "route", "show");
        assertTrue(v4.contains("default via 169.254.1.2 dev tap0"), v4);
        assertFalse(v4.contains("169.254.1.1"), v4);

        rtnl.routeDelete(Route.defaultVia(ip("169.254.1.2"), index));
        assertFalse(ns.ip("-4", "route", "show").contains("default"));
        LinuxException gone = assertThrows(LinuxException.class,
                () -> rtnl.routeDelete(Route.defaultVia(ip("169.254.1.2"), index)));
        assertEquals(Errno.ESRCH, gone.errno());
        assertEquals("RTM_DELROUTE default via 169.254.1.2 dev tap0", gone.call());

        // Without onlink and without a route to it, the gateway is refused, and the
        // kernel says why in its extended ack.
        LinuxException unreachable = assertThrows(LinuxException.class,
                () -> rtnl.routeAdd(Route.defaultVia(ip("192.0.2.1"), index)));
        assertEquals(Errno.ENETUNREACH, unreachable.errno());
        assertEquals("RTM_NEWROUTE default via 192.0.2.1 dev tap0", unreachable.call());
        assertTrue(unreachable.detail() != null && unreachable.detail().contains("gateway"),
                unreachable.getMessage());
    }

    @Test
    void permanentNeighboursForTheGateway() throws Exception {
        rtnl.linkSetUp(index);
        rtnl.neighbourAdd(index, ip("169.254.1.1"), GW_MAC);
        rtnl.neighbourAdd(index, ip("fe80::1"), GW_MAC);

        String shown = ns.ip("neigh", "show", "dev", TAP);
        assertTrue(shown.contains("169.254.1.1 lladdr 02:00:00:00:ee:01 PERMANENT"), shown);
        assertTrue(shown.contains("fe80::1 lladdr 02:00:00:00:ee:01 PERMANENT"), shown);
        List<Neighbour> dumped = rtnl.neighbours(index);
        Neighbour gw = dumped.stream().filter(n -> n.address().equals(ip("169.254.1.1"))).findFirst().orElseThrow();
        assertEquals(GW_MAC, gw.mac());
        assertTrue(gw.permanent());
        assertTrue(dumped.stream().anyMatch(n -> n.address().equals(ip("fe80::1")) && n.permanent()));

        LinuxException twice = assertThrows(LinuxException.class,
                () -> rtnl.neighbourAdd(index, ip("169.254.1.1"), GW_MAC));
        assertEquals(Errno.EEXIST, twice.errno());
        assertEquals("RTM_NEWNEIGH 169.254.1.1 lladdr 02:00:00:00:ee:01 dev tap0 permanent", twice.call());

        MacAddress moved = MacAddress.parse("02:00:00:00:ee:02");
        rtnl.neighbourReplace(index, ip("169.254.1.1"), moved);
        assertTrue(ns.ip("neigh", "show", "dev", TAP).contains("169.254.1.1 lladdr 02:00:00:00:ee:02 PERMANENT"));

        rtnl.neighbourDelete(index, ip("169.254.1.1"));
        rtnl.neighbourDelete(index, ip("fe80::1"));
        assertTrue(rtnl.neighbours(index).stream().noneMatch(Neighbour::permanent));
        LinuxException gone = assertThrows(LinuxException.class, () -> rtnl.neighbourDelete(index, ip("fe80::1")));
        assertEquals(Errno.ENOENT, gone.errno());
    }

    @Test
    void vethPairEndMovesToAnotherNamespace() throws Exception {
        other = TestNamespace.create();
        rtnl.vethAdd("cl-a", "cl-b");
        Link a = rtnl.link("cl-a");
        assertEquals("veth", a.kind());
        assertEquals("veth", rtnl.link("cl-b").kind());

        try (NetNamespace there = other.open(); Rtnetlink remote = Rtnetlink.open(there)) {
            rtnl.linkSetNetns(rtnl.linkIndex("cl-b"), there);
            assertTrue(other.hasLink("cl-b"));
            assertFalse(ns.hasLink("cl-b"));
            LinuxException notHere = assertThrows(LinuxException.class, () -> rtnl.linkIndex("cl-b"));
            assertEquals(Errno.ENODEV, notHere.errno());
            int b = remote.linkIndex("cl-b");
            remote.linkSetUp(b);
            assertTrue(remote.link(b).up());

            // Deleting one end deletes the pair, across namespaces.
            rtnl.linkDelete(a.index());
            assertFalse(ns.hasLink("cl-a"));
            assertFalse(other.hasLink("cl-b"));
        }
    }

    @Test
    void vethMadeWithItsPeerInAnotherNamespace() throws Exception {
        other = TestNamespace.create();
        try (NetNamespace there = other.open(); Rtnetlink remote = Rtnetlink.open(there)) {
            // Both ends may carry the same name, one per namespace, as a lab's wires do.
            rtnl.vethAdd("wire0", "wire0", 1400, there);
            Link here = rtnl.link("wire0");
            Link peer = remote.link("wire0");
            assertEquals("veth", here.kind());
            assertEquals("veth", peer.kind());
            assertEquals(1400, here.mtu());
            assertEquals(1400, peer.mtu());
            assertFalse(here.up());
            assertTrue(other.ip("link", "show", "dev", "wire0").contains("mtu 1400"));
            LinuxException twice = assertThrows(LinuxException.class,
                    () -> rtnl.vethAdd("wire0", "wire1", 0, there));
            assertEquals(Errno.EEXIST, twice.errno());
        }
    }

    @Test
    void bridgeWithAVethPort() throws Exception {
        rtnl.bridgeAdd("br0");
        rtnl.vethAdd("p1", "q1");
        int bridge = rtnl.linkIndex("br0");
        int port = rtnl.linkIndex("p1");
        assertEquals("bridge", rtnl.link(bridge).kind());
        rtnl.linkSetMaster(port, bridge);
        rtnl.linkSetUp(bridge);
        rtnl.linkSetUp(port);
        assertTrue(ns.ip("link", "show", "dev", "p1").contains("master br0"));
        assertTrue(rtnl.link(bridge).up());
        rtnl.linkSetMaster(port, 0);
        assertFalse(ns.ip("link", "show", "dev", "p1").contains("master"));
    }

    @Test
    void unknownIndexesAreEnodevNamedByNumber() throws Exception {
        LinuxException e = assertThrows(LinuxException.class, () -> rtnl.linkDelete(99_999));
        assertEquals(Errno.ENODEV, e.errno());
        assertEquals("RTM_DELLINK dev #99999", e.call());
        LinuxException up = assertThrows(LinuxException.class, () -> rtnl.linkSetUp(99_999));
        assertEquals("RTM_NEWLINK dev #99999 up", up.call());
    }
}
