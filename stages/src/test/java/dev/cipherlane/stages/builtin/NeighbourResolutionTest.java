package dev.cipherlane.stages.builtin;

import static dev.cipherlane.stages.builtin.EthernetFrames.BROADCAST;
import static dev.cipherlane.stages.builtin.EthernetFrames.IF0;
import static dev.cipherlane.stages.builtin.EthernetFrames.IF0_MAC_BYTES;
import static dev.cipherlane.stages.builtin.EthernetFrames.ZERO_MAC;
import static dev.cipherlane.stages.builtin.EthernetFrames.arp;
import static dev.cipherlane.stages.builtin.EthernetFrames.bytes;
import static dev.cipherlane.stages.builtin.EthernetFrames.ethernet;
import static dev.cipherlane.stages.builtin.EthernetFrames.ip;
import static dev.cipherlane.stages.builtin.EthernetFrames.ipBytes;
import static dev.cipherlane.stages.builtin.EthernetFrames.macBytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cipherlane.stages.fib.AdjacencyKind;
import dev.cipherlane.stages.fib.AdjacencyTable;
import dev.cipherlane.stages.neighbour.AdjacencyResolver;
import dev.cipherlane.stages.neighbour.NeighbourTable;
import dev.cipherlane.stages.neighbour.ProxySet;
import dev.cipherlane.stages.testing.StageHarness;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Neighbour table changes completing and undoing adjacency rewrites via {@link AdjacencyResolver}. */
class NeighbourResolutionTest {
    private static final long S = 1_000_000_000L;
    private static final byte[] GW_MAC = macBytes(0x52, 0x54, 0, 0, 0, 0xfe);
    private static final byte[] GW_MAC_2 = macBytes(0x52, 0x54, 0, 0, 0, 0xfd);
    private static final int GW = ip(10, 0, 0, 254);

    private final NeighbourTable neighbours = new NeighbourTable(
            new NeighbourTable.Params(10 * S, 20 * S, 3 * S, 64));
    private final AdjacencyTable adjacencies = new AdjacencyTable();
    private final AtomicInteger wakeups = new AtomicInteger();
    private final AdjacencyResolver resolver = new AdjacencyResolver(adjacencies, neighbours, wakeups::incrementAndGet);

    private static byte[] header(byte[] dst, byte[] src, int type) {
        return bytes(dst, src, new byte[] {(byte) (type >>> 8), (byte) type});
    }

    @Test
    void anArpReplyCompletesTheAdjacencyOnTheNextApply() {
        int adj = adjacencies.addNeighbor4(IF0, GW, IF0_MAC_BYTES);
        var interfaces = EthernetFrames.interfaces();
        try (StageHarness h = new StageHarness(new EthernetInput(new EthernetInput.Params(interfaces)),
                new ArpInput(new ArpInput.Params(interfaces, neighbours, ProxySet.EMPTY)))
                .connect(EthernetInput.NAME, "arp", ArpInput.NAME)) {
            h.run(EthernetInput.NAME, h.packet(ethernet(IF0_MAC_BYTES, GW_MAC, 0x0806,
                    arp(2, GW_MAC, ipBytes(10, 0, 0, 254), IF0_MAC_BYTES, ipBytes(10, 0, 0, 1))), IF0));
        }
        assertEquals(1, wakeups.get());
        assertTrue(resolver.pending());
        assertEquals(AdjacencyKind.INCOMPLETE, adjacencies.kind(adj), "workers never touch the adjacency table");

        assertTrue(resolver.apply());
        assertEquals(AdjacencyKind.REWRITE, adjacencies.kind(adj));
        assertArrayEquals(header(GW_MAC, IF0_MAC_BYTES, 0x0800), adjacencies.rewrite(adj));
        assertFalse(resolver.pending());
        assertFalse(resolver.apply(), "nothing pending, nothing done");
    }

    @Test
    void followsAMacChangeAndUndoesTheRewriteWhenTheNeighbourGoes() {
        int adj = adjacencies.addNeighbor4(IF0, GW, IF0_MAC_BYTES);
        int other = adjacencies.addNeighbor4(IF0, ip(10, 0, 0, 253), IF0_MAC_BYTES);
        int glean = adjacencies.addGlean4(IF0);
        neighbours.learn4(IF0, GW, EthernetFrames.macValue(GW_MAC), 0);
        assertTrue(resolver.apply());

        neighbours.refresh4(IF0, GW, EthernetFrames.macValue(GW_MAC_2), S);
        assertTrue(resolver.apply());
        assertArrayEquals(header(GW_MAC_2, IF0_MAC_BYTES, 0x0800), adjacencies.rewrite(adj));

        neighbours.expire(31 * S);
        assertTrue(resolver.apply());
        assertEquals(AdjacencyKind.INCOMPLETE, adjacencies.kind(adj));
        assertEquals(AdjacencyKind.INCOMPLETE, adjacencies.kind(other));
        assertEquals(AdjacencyKind.GLEAN, adjacencies.kind(glean));
    }

    @Test
    void batchesWakeupsUntilApplied() {
        adjacencies.addNeighbor4(IF0, GW, IF0_MAC_BYTES);
        for (int i = 1; i <= 5; i++) {
            neighbours.learn4(IF0, ip(10, 0, 0, i), 0x5254_0000_0000L | i, 0);
        }
        assertEquals(1, wakeups.get());
        assertFalse(resolver.apply(), "none of them is a next hop of an adjacency");
        neighbours.learn4(IF0, GW, EthernetFrames.macValue(GW_MAC), 0);
        assertEquals(2, wakeups.get());
    }

    @Test
    void resolvesIpv6AdjacenciesAndStaticNeighbours() {
        long hi = 0xFE80_0000_0000_0000L;
        int v6 = adjacencies.addNeighbor6(IF0, hi, 1, IF0_MAC_BYTES);
        int gw = adjacencies.addNeighbor4(IF0, GW, IF0_MAC_BYTES);
        neighbours.learn6(IF0, hi, 1, EthernetFrames.macValue(GW_MAC), 0);
        neighbours.addStatic4(IF0, GW, EthernetFrames.macValue(GW_MAC_2), 0);

        assertTrue(resolver.apply());
        assertArrayEquals(header(GW_MAC, IF0_MAC_BYTES, 0x86DD), adjacencies.rewrite(v6));
        assertArrayEquals(header(GW_MAC_2, IF0_MAC_BYTES, 0x0800), adjacencies.rewrite(gw));
        // Aging takes the learned IPv6 neighbour away; the static one stays.
        neighbours.expire(1000 * S);
        assertTrue(resolver.reconcile());
        assertEquals(AdjacencyKind.REWRITE, adjacencies.kind(gw));
        assertEquals(AdjacencyKind.INCOMPLETE, adjacencies.kind(v6));
    }

    @Test
    void aGratuitousAnnouncementOfANewMacReachesTheAdjacency() {
        int adj = adjacencies.addNeighbor4(IF0, GW, IF0_MAC_BYTES);
        neighbours.learn4(IF0, GW, EthernetFrames.macValue(GW_MAC), 0);
        resolver.apply();
        var interfaces = EthernetFrames.interfaces();
        try (StageHarness h = new StageHarness(new EthernetInput(new EthernetInput.Params(interfaces)),
                new ArpInput(new ArpInput.Params(interfaces, neighbours, ProxySet.EMPTY)))
                .connect(EthernetInput.NAME, "arp", ArpInput.NAME)) {
            h.run(EthernetInput.NAME, h.packet(ethernet(BROADCAST, GW_MAC_2, 0x0806,
                    arp(1, GW_MAC_2, ipBytes(10, 0, 0, 254), ZERO_MAC, ipBytes(10, 0, 0, 254))), IF0));
            assertEquals(1, h.errors(ArpInput.NAME, "gratuitous arp"));
        }
        assertTrue(resolver.apply());
        assertArrayEquals(header(GW_MAC_2, IF0_MAC_BYTES, 0x0800), adjacencies.rewrite(adj));
    }
}
