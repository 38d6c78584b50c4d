package dev.cipherlane.supervisor.dataplane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cipherlane.config.PeerSettings;
import dev.cipherlane.net.IpAddress;
import dev.cipherlane.net.IpPrefix;
import dev.cipherlane.stages.fib.AdjacencyKind;
import dev.cipherlane.stages.fib.AdjacencyTable;
import dev.cipherlane.stages.fib.ForwardingTables;
import dev.cipherlane.stages.fib.IngressFilter;
import dev.cipherlane.stages.neighbour.NeighbourTable;
import dev.cipherlane.stages.net.NetInterface;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class NodeForwardingTest {
    private static final long GATEWAY_MAC = 0x02FE_0000_0001L;
    private static final int UPLINK = 2;
    private static final int HOST = 3;

    private static int ip(String text) {
        return (int) IpAddress.parse(text).low();
    }

    private static PodPort pod(int index, String ip4, long mac) {
        return new PodPort("p" + index, index, mac, 1400, new int[] {100 + index}, Optional.of(ip(ip4)),
                Optional.of(new long[] {0xFD01_0001_0000_0000L, 0x10L + index}));
    }

    private static UplinkInterface uplink() {
        return new UplinkInterface(UPLINK, "wire0", 0x0AA3_A7CC_EDCFL, 1500,
                List.of(new NetInterface.Ip4Address(ip("10.200.0.1"), 24)),
                List.of(new NetInterface.Ip6Address(0xFD00_0200_0000_0000L, 1, 64)),
                List.of(ip("10.200.0.11"), ip("10.200.0.21")), HOST, "cl-host");
    }

    private static PeerSettings peer(int tunnels, String... addresses) {
        List<IpAddress> a = new ArrayList<>();
        for (String s : addresses) {
            a.add(IpAddress.parse(s));
        }
        return new PeerSettings("node-b", a, List.of(IpPrefix.parse("10.1.2.0/24"), IpPrefix.parse("fd01:2::/64")),
                tunnels);
    }

    private static NodeForwarding build(PeerSettings... peers) {
        return NodeForwarding.build(List.of(pod(0, "10.1.1.10", 0x02AA_0000_0001L), pod(1, "10.1.1.11", 0x02AA_0000_0002L)),
                GATEWAY_MAC, Optional.of(uplink()), List.of(peers));
    }

    @Test
    void tunnelIRunsFromLocalIModNToPeerAddressIModM() {
        NodeForwarding f = build(peer(4, "10.200.0.2", "10.200.0.12"));
        List<NodeForwarding.TunnelInfo> t = f.tunnelInfo();
        assertEquals(4, t.size());
        int[][] expected = {
            {ip("10.200.0.1"), ip("10.200.0.2")}, {ip("10.200.0.11"), ip("10.200.0.12")},
            {ip("10.200.0.21"), ip("10.200.0.2")}, {ip("10.200.0.1"), ip("10.200.0.12")}};
        for (int i = 0; i < 4; i++) {
            assertEquals(expected[i][0], t.get(i).local(), "tunnel " + i + " local");
            assertEquals(expected[i][1], t.get(i).remote(), "tunnel " + i + " remote");
            assertEquals(i, t.get(i).ordinal());
            assertEquals(t.get(i).index(), f.tunnels().find(t.get(i).remote(), t.get(i).local()),
                    "decapsulation finds the tunnel by (remote, local)");
        }
    }

    @Test
    void theIngressFilterKnowsEachPodsAddressesTheUplinkTheHostTapAndEachTunnelsPeer() {
        PeerSettings c = new PeerSettings("node-c", List.of(IpAddress.parse("10.200.0.3")),
                List.of(IpPrefix.parse("10.1.3.0/24")), 1);
        NodeForwarding f = build(peer(2, "10.200.0.2"), c);
        IngressFilter in = f.ingress();
        assertEquals(IngressFilter.Role.POD, in.role(0));
        assertEquals(IngressFilter.Role.POD, in.role(1));
        assertEquals(IngressFilter.Role.UPLINK, in.role(UPLINK));
        assertEquals(IngressFilter.Role.HOST, in.role(HOST));
        assertTrue(in.podSends4(0, ip("10.1.1.10")));
        assertFalse(in.podSends4(0, ip("10.1.1.11")), "pod 0 may not send as pod 1");
        assertTrue(in.podSends6(1, 0xFD01_0001_0000_0000L, 0x11));
        assertFalse(in.podSends6(1, 0xFD01_0001_0000_0000L, 0x10));
        List<NodeForwarding.TunnelInfo> t = f.tunnelInfo();
        assertEquals(3, t.size());
        assertEquals(in.peerOf(t.get(0).index()), in.peerOf(t.get(1).index()), "node-b's two tunnels");
        assertNotEquals(in.peerOf(t.get(0).index()), in.peerOf(t.get(2).index()), "node-c is another peer");
        assertNotEquals(IngressFilter.NO_PEER, in.peerOf(t.get(2).index()));
    }

    @Test
    void peerPodCidrsReachOneLoadBalancerOverEveryTunnel() {
        NodeForwarding f = build(peer(4, "10.200.0.2", "10.200.0.12"));
        ForwardingTables tables = f.tables();
        int lb4 = tables.ip4().lookup(ip("10.1.2.77"));
        int lb6 = tables.ip6().lookup(0xFD01_0002_0000_0000L, 0x99);
        assertEquals(lb4, lb6, "both families of the peer's pods share the peer's tunnels");
        assertEquals(4, tables.loadBalances().pathCount(lb4));
        Set<Integer> tunnels = new HashSet<>();
        for (int i = 0; i < 4; i++) {
            int adj = tables.loadBalances().path(lb4, i);
            tunnels.add(tables.adjacencies().tunnel(adj));
        }
        assertEquals(4, tunnels.size());
        assertTrue(!tunnels.contains(AdjacencyTable.NO_TUNNEL));
    }

    @Test
    void nodeAddressesAndTunnelSourcesAreLocalAndTheSubnetGleans() {
        ForwardingTables t = build(peer(1, "10.200.0.2")).tables();
        for (String local : List.of("10.200.0.1", "10.200.0.11", "10.200.0.21")) {
            int adj = t.loadBalances().path(t.ip4().lookup(ip(local)), 0);
            assertEquals(AdjacencyKind.LOCAL, t.adjacencies().kind(adj), local);
        }
        int glean = t.loadBalances().path(t.ip4().lookup(ip("10.200.0.99")), 0);
        assertEquals(AdjacencyKind.GLEAN, t.adjacencies().kind(glean));
        assertEquals(UPLINK, t.adjacencies().txInterface(glean));
        int solicited = t.loadBalances().path(t.ip6().lookup(0xFF02_0000_0000_0000L, 0x0000_0001_FF00_0001L), 0);
        assertEquals(AdjacencyKind.LOCAL, t.adjacencies().kind(solicited), "neighbour solicitations reach us");
    }

    @Test
    void underlayCompletesWhenThePeerAnswersArpAndPodsStayComplete() {
        NodeForwarding f = build(peer(2, "10.200.0.2"));
        NeighbourTable neighbours = new NeighbourTable(NeighbourTable.Params.defaults());
        int[] wakeups = {0};
        f.follow(neighbours, () -> wakeups[0]++);
        int tunnel = f.tunnelInfo().get(0).index();
        assertTrue(!f.underlayResolved(tunnel), "nothing answered yet");
        ForwardingTables before = f.tables();
        int pod = before.loadBalances().path(before.ip4().lookup(ip("10.1.1.10")), 0);
        assertEquals(AdjacencyKind.REWRITE, before.adjacencies().kind(pod),
                "pods are permanent neighbours: the resolver must not take their rewrites back");

        long now = System.nanoTime();
        neighbours.claimRequest4(UPLINK, ip("10.200.0.2"), now, 1);
        neighbours.learn4(UPLINK, ip("10.200.0.2"), 0x0A41_74AF_789AL, now);
        assertTrue(wakeups[0] > 0);
        assertTrue(f.resolve(), "the adjacency changed, so new tables are published");
        assertTrue(f.underlayResolved(tunnel));
        assertTrue(f.tables() != before);
    }

    @Test
    void peersOffTheUplinkSubnetsAreRefusedWithTheReason() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> build(peer(1, "192.168.7.2")));
        assertTrue(e.getMessage().contains("192.168.7.2 is not on a subnet of uplink wire0"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> NodeForwarding.build(List.of(), GATEWAY_MAC,
                Optional.empty(), List.of(peer(1, "10.200.0.2"))));
    }

    @Test
    void aPodAddedLiveIsRoutedAndJudgedAndARemovedOneLeavesNothingBehind() {
        NodeForwarding f = build(peer(2, "10.200.0.2"));
        NeighbourTable neighbours = new NeighbourTable(NeighbourTable.Params.defaults());
        f.follow(neighbours, () -> {});
        ForwardingTables before = f.tables();
        int adjacencies = before.adjacencies().size();
        PodPort late = pod(4, "10.1.1.14", 0x02AA_0000_0004L);
        assertEquals(before.ip4().lookup(ip("10.1.1.77")), before.ip4().lookup(ip("10.1.1.14")),
                "not routed yet: the pod CIDR's default");

        f.addPod(late);
        ForwardingTables with = f.tables();
        int adj = with.loadBalances().path(with.ip4().lookup(ip("10.1.1.14")), 0);
        assertEquals(AdjacencyKind.REWRITE, with.adjacencies().kind(adj));
        assertEquals(4, with.adjacencies().txInterface(adj));
        int adj6 = with.loadBalances().path(with.ip6().lookup(0xFD01_0001_0000_0000L, 0x14), 0);
        assertEquals(4, with.adjacencies().txInterface(adj6));
        assertEquals(IngressFilter.Role.POD, f.ingress().role(4));
        assertTrue(f.ingress().podSends4(4, ip("10.1.1.14")));
        assertTrue(neighbours.pinned4(4, ip("10.1.1.14")), "its MAC is known from its tap: a permanent entry");
        assertEquals(3, f.pods().size());
        assertThrows(IllegalArgumentException.class, () -> f.addPod(late), "one pod of a name");

        assertEquals(Optional.of(late), f.removePod("p4"));
        ForwardingTables after = f.tables();
        assertEquals(after.ip4().lookup(ip("10.1.1.77")), after.ip4().lookup(ip("10.1.1.14")));
        assertEquals(IngressFilter.Role.UNCHECKED, f.ingress().role(4));
        assertFalse(f.ingress().podSends4(4, ip("10.1.1.14")));
        assertFalse(neighbours.pinned4(4, ip("10.1.1.14")));
        assertEquals(NeighbourTable.NONE, neighbours.lookup4(4, ip("10.1.1.14")));
        assertEquals(Optional.empty(), f.removePod("p4"));
        assertEquals(2, f.pods().size());

        // Its adjacencies were freed: adding and removing again and again does not grow the table.
        for (int i = 0; i < 100; i++) {
            f.addPod(late);
            f.removePod("p4");
        }
        f.addPod(late);
        assertTrue(f.tables().adjacencies().size() <= adjacencies + 2, "freed adjacencies are reused");
        assertEquals(IngressFilter.Role.POD, f.ingress().role(0), "the other pods are untouched");
        assertTrue(f.ingress().podSends4(0, ip("10.1.1.10")));
    }

    @Test
    void tunnelsAddedLiveCarryNothingUntilBalancedAndDroppedOnesLeaveNothing() {
        NodeForwarding f = build(peer(2, "10.200.0.2", "10.200.0.12"));
        int lb = f.tables().ip4().lookup(ip("10.1.2.77"));
        assertEquals(2, f.tables().loadBalances().pathCount(lb));
        List<NodeForwarding.TunnelInfo> added = f.addTunnels(peer(4, "10.200.0.2", "10.200.0.12"));
        assertEquals(List.of(2, 3), added.stream().map(NodeForwarding.TunnelInfo::ordinal).toList());
        assertEquals(4, f.tunnelInfo().size());
        assertEquals(2, f.tables().loadBalances().pathCount(lb), "made, but no flow is hashed onto them yet");
        assertTrue(f.ingress().peerOf(added.get(0).index()) != IngressFilter.NO_PEER);
        assertEquals(List.of(), f.balance("node-b", 4));
        assertEquals(4, f.tables().loadBalances().pathCount(lb));

        List<NodeForwarding.TunnelInfo> out = f.balance("node-b", 1);
        assertEquals(List.of(1, 2, 3), out.stream().map(NodeForwarding.TunnelInfo::ordinal).toList());
        assertEquals(1, f.tables().loadBalances().pathCount(lb));
        f.dropTunnels("node-b", 1);
        assertEquals(1, f.tunnelInfo().size());
        for (NodeForwarding.TunnelInfo t : out) {
            assertFalse(f.tunnels().contains(t.index()));
            assertEquals(IngressFilter.NO_PEER, f.ingress().peerOf(t.index()), "a dropped tunnel admits nothing");
        }
        assertThrows(IllegalArgumentException.class, () -> f.balance("node-b", 2), "only made tunnels");
        assertThrows(IllegalArgumentException.class, () -> f.balance("no-such-peer", 1));
        f.addTunnels(peer(3, "10.200.0.2", "10.200.0.12"));
        f.balance("node-b", 3);
        assertEquals(List.of(0, 1, 2), f.tunnelInfo().stream().map(NodeForwarding.TunnelInfo::ordinal).toList());
        assertEquals(3, f.tables().loadBalances().pathCount(lb));
    }

    @Test
    void aPeerAddedLiveIsRoutedOnlyOnceAskedAndARemovedOneLeavesNoRouteOrTunnel() {
        NodeForwarding f = build(peer(2, "10.200.0.2"));
        int defaultLb = f.tables().ip4().lookup(ip("10.1.3.77"));
        PeerSettings c = new PeerSettings("node-c", List.of(IpAddress.parse("10.200.0.3"), IpAddress.parse("10.200.0.13")),
                List.of(IpPrefix.parse("10.1.3.0/24")), 2);
        List<NodeForwarding.TunnelInfo> made = f.addPeer(c);
        assertEquals(2, made.size());
        assertEquals(defaultLb, f.tables().ip4().lookup(ip("10.1.3.77")), "made, not routed: the caller protects first");
        f.routePeerLive(c);
        int lb = f.tables().ip4().lookup(ip("10.1.3.77"));
        assertNotEquals(defaultLb, lb);
        assertEquals(2, f.tables().loadBalances().pathCount(lb));
        assertNotEquals(f.ingress().peerOf(made.get(0).index()), f.ingress().peerOf(f.tunnelInfo().get(0).index()),
                "another peer than node-b");
        assertThrows(IllegalArgumentException.class, () -> f.addPeer(c));

        PeerSettings moved = new PeerSettings("node-c", c.addresses(), List.of(IpPrefix.parse("10.1.4.0/24")), 2);
        f.rerouteCidrs(moved);
        assertEquals(defaultLb, f.tables().ip4().lookup(ip("10.1.3.77")), "the old CIDR is gone");
        assertEquals(2, f.tables().loadBalances().pathCount(f.tables().ip4().lookup(ip("10.1.4.77"))));

        assertEquals(made, f.unroutePeer("node-c"));
        assertEquals(defaultLb, f.tables().ip4().lookup(ip("10.1.4.77")));
        f.dropPeer("node-c");
        assertEquals(2, f.tunnelInfo().size(), "node-b's tunnels stay");
        for (NodeForwarding.TunnelInfo t : made) {
            assertFalse(f.tunnels().contains(t.index()));
            assertEquals(IngressFilter.NO_PEER, f.ingress().peerOf(t.index()));
        }
        assertNotEquals(defaultLb, f.tables().ip4().lookup(ip("10.1.2.77")), "node-b is still routed");
        f.addPeer(c);
        f.routePeerLive(c);
        assertEquals(2, f.tables().loadBalances().pathCount(f.tables().ip4().lookup(ip("10.1.3.77"))), "and can come back");
    }
}
