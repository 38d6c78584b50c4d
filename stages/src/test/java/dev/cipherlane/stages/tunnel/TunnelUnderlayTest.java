package dev.cipherlane.stages.tunnel;

import static dev.cipherlane.stages.tunnel.TunnelTestPackets.DF;
import static dev.cipherlane.stages.tunnel.TunnelTestPackets.addr;
import static dev.cipherlane.stages.tunnel.TunnelTestPackets.udp4;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cipherlane.stages.testing.StageHarness;
import org.junit.jupiter.api.Test;

/** What ipip-encap does while the peer's next hop is unresolved, and what it counts per tunnel. */
class TunnelUnderlayTest {
    private final TunnelNetwork net = new TunnelNetwork();

    private int inject(StageHarness h, int length, int tunnel) {
        int bi = h.packet(udp4(addr(10, 1, 0, 5), addr(10, 2, 0, 7), 40000, 443, 0, DF, length), 1);
        h.memory().nextHop(bi, net.tunnelAdjacency[tunnel]);
        return bi;
    }

    @Test
    void unresolvedUnderlayNextHopSendsTheOuterPacketToGlean() {
        net.adjacencies.markIncomplete(net.underlay);
        try (StageHarness h = new StageHarness(net.encap())) {
            h.run(TunnelEncap.NAME, inject(h, 100, 0));
            assertEquals(0, h.captured("ipip-encap.rewrite").size());
            assertEquals(1, h.captured("ipip-encap.glean").size());
            int bi = h.captured("ipip-encap.glean").get(0);
            assertEquals(net.underlay, h.memory().nextHop(bi), "arp-glean resolves the underlay adjacency");
            assertEquals(120, h.memory().length(bi), "already encapsulated");
        }
    }

    @Test
    void resolvedAgainTheSameTunnelGoesToRewrite() {
        net.adjacencies.markIncomplete(net.underlay);
        net.adjacencies.updateRewrite(net.underlay, TunnelNetwork.B_MAC);
        try (StageHarness h = new StageHarness(net.encap())) {
            h.run(TunnelEncap.NAME, inject(h, 100, 0));
            assertEquals(1, h.captured("ipip-encap.rewrite").size());
        }
    }

    @Test
    void countersAddUpPacketsAndOuterBytesPerTunnelAndDirection() {
        TunnelCounters counters = new TunnelCounters(1, TunnelNetwork.TUNNELS);
        TunnelTable.Snapshot a = net.tunnelsA.snapshot();
        TunnelTable.Snapshot b = net.tunnelsB.snapshot();
        TunnelEncap encap = new TunnelEncap(new TunnelEncap.Params(net::forwarding, () -> a, counters));
        TunnelDecap decap = new TunnelDecap(new TunnelDecap.Params(() -> b, counters));
        try (StageHarness h = new StageHarness(encap, decap)) {
            h.run(TunnelEncap.NAME, inject(h, 100, 2), inject(h, 200, 2), inject(h, 50, 3));
            assertEquals(2, counters.txPackets(net.tunnelIndex[2]));
            assertEquals(120 + 220, counters.txBytes(net.tunnelIndex[2]));
            assertEquals(1, counters.txPackets(net.tunnelIndex[3]));
            assertEquals(0, counters.txPackets(net.tunnelIndex[0]));
            // B decapsulates what A sent: B's tunnel with the same outer pair counts it received.
            for (byte[] outer : h.capturedBytes("ipip-encap.rewrite")) {
                h.run(TunnelDecap.NAME, h.packet(outer, 2));
            }
            int bTunnel = b.find(TunnelNetwork.localA(2), TunnelNetwork.localB(2));
            assertEquals(2, counters.rxPackets(bTunnel));
            assertEquals(340, counters.rxBytes(bTunnel));
        }
    }

    @Test
    void indexesOutsideTheCountersAreIgnored() {
        TunnelCounters counters = new TunnelCounters(2, 2);
        counters.transmitted(0, 5, 100);
        counters.transmitted(7, 1, 100);
        counters.received(1, 1, 60);
        assertEquals(0, counters.txPackets(1));
        assertEquals(1, counters.rxPackets(1));
        assertEquals(0, counters.rxPackets(5));
    }
}
