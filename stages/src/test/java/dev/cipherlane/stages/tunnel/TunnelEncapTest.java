package dev.cipherlane.stages.tunnel;

import static dev.cipherlane.stages.tunnel.TunnelTestPackets.DF;
import static dev.cipherlane.stages.tunnel.TunnelTestPackets.addr;
import static dev.cipherlane.stages.tunnel.TunnelTestPackets.concat;
import static dev.cipherlane.stages.tunnel.TunnelTestPackets.hopped;
import static dev.cipherlane.stages.tunnel.TunnelTestPackets.outerHeader;
import static dev.cipherlane.stages.tunnel.TunnelTestPackets.udp4;
import static dev.cipherlane.stages.tunnel.TunnelTestPackets.udp6;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cipherlane.stages.buffer.PacketFlags;
import dev.cipherlane.stages.buffer.PacketMemory;
import dev.cipherlane.stages.builtin.IcmpErrorRequest;
import dev.cipherlane.stages.fib.AdjacencyTable;
import dev.cipherlane.stages.testing.StageHarness;
import java.util.List;
import org.junit.jupiter.api.Test;

class TunnelEncapTest {
    private static final String REWRITE = "ipip-encap.rewrite";
    private static final String GSO = "ipip-encap.gso";
    private static final String ICMP4 = "ipip-encap.icmp4-error";
    private static final String ICMP6 = "ipip-encap.icmp6-error";
    private static final long POD_A_HI = 0xFD00_0000_0000_000AL;
    private static final long POD_B_HI = 0xFD00_0000_0000_000BL;

    private final TunnelNetwork net = new TunnelNetwork();

    private int inject(StageHarness h, byte[] inner, int tunnel) {
        int bi = h.packet(inner, 1);
        h.memory().nextHop(bi, net.tunnelAdjacency[tunnel]);
        return bi;
    }

    @Test
    void ip4InIp4HeaderIsExactlyTheOneRfc2003Describes() {
        // DSCP EF (46) with ECT(1): both DSCP and ECN go to the outer header (RFC 6040 normal mode).
        byte[] inner = udp4(addr(10, 1, 0, 5), addr(10, 2, 0, 7), 40000, 443, 46 << 2 | 1, DF, 100);
        try (StageHarness h = new StageHarness(net.encap())) {
            h.run(TunnelEncap.NAME, inject(h, inner, 1));
            assertEquals(1, h.captured(REWRITE).size());
            byte[] expected = concat(outerHeader(46 << 2 | 1, 120, 4, TunnelNetwork.localA(1),
                    TunnelNetwork.localB(1)), hopped(inner));
            byte[] actual = h.capturedBytes(REWRITE).get(0);
            assertArrayEquals(expected, actual);
            assertTrue(TunnelTestPackets.headerChecksumValid(actual, 0));
            int bi = h.captured(REWRITE).get(0);
            PacketMemory mem = h.memory();
            assertEquals(net.underlay, mem.nextHop(bi), "the underlay neighbour takes it from here");
            assertEquals(TunnelNetwork.UNDERLAY_TX, mem.txInterface(bi));
            assertEquals(mem.dataOffset(bi), mem.l3Offset(bi));
        }
    }

    @Test
    void ip6InIp4CarriesProtocol41AndTheTrafficClass() {
        // Traffic class AF41 (34) with CE.
        int trafficClass = 34 << 2 | 3;
        byte[] inner = udp6(POD_A_HI, 5, POD_B_HI, 7, 5000, 53, trafficClass, 140);
        try (StageHarness h = new StageHarness(net.encap())) {
            int bi = inject(h, inner, 3);
            h.memory().setFlag(bi, PacketFlags.IP6);
            h.run(TunnelEncap.NAME, bi);
            byte[] expected = concat(outerHeader(trafficClass, 160, 41, TunnelNetwork.localA(3),
                    TunnelNetwork.localB(3)), hopped(inner));
            assertArrayEquals(expected, h.capturedBytes(REWRITE).get(0));
            assertFalse(h.memory().hasFlag(h.captured(REWRITE).get(0), PacketFlags.IP6), "the packet is IPv4 now");
        }
    }

    @Test
    void innerThatExactlyFillsTheTunnelMtuIsEncapsulated() {
        byte[] inner = udp4(addr(10, 1, 0, 5), addr(10, 2, 0, 7), 40000, 443, 0, DF, TunnelNetwork.MTU - 20);
        try (StageHarness h = new StageHarness(net.encap())) {
            h.run(TunnelEncap.NAME, inject(h, inner, 0));
            assertEquals(TunnelNetwork.MTU, h.capturedBytes(REWRITE).get(0).length);
        }
    }

    @Test
    void tooBigIp4WithDfGetsFragmentationNeededWithTheTunnelInnerMtu() {
        byte[] inner = udp4(addr(10, 1, 0, 5), addr(10, 2, 0, 7), 40000, 443, 0, DF, TunnelNetwork.MTU - 19);
        try (StageHarness h = new StageHarness(net.encap())) {
            h.run(TunnelEncap.NAME, inject(h, inner, 0));
            assertEquals(1, h.captured(ICMP4).size());
            int bi = h.captured(ICMP4).get(0);
            int opaque = h.memory().opaque(bi);
            assertEquals(3, IcmpErrorRequest.type(opaque));
            assertEquals(4, IcmpErrorRequest.code(opaque));
            assertEquals(1480, IcmpErrorRequest.parameter(opaque));
            assertArrayEquals(inner, h.memory().read(bi), "the error quotes the packet as it was");
            assertEquals(1, h.errors(TunnelEncap.NAME, "tunnel mtu exceeded"));
            assertEquals(0, h.captured(REWRITE).size());
        }
    }

    @Test
    void tooBigIp4WithoutDfIsDropped() {
        byte[] inner = udp4(addr(10, 1, 0, 5), addr(10, 2, 0, 7), 40000, 443, 0, 0, TunnelNetwork.MTU);
        try (StageHarness h = new StageHarness(net.encap())) {
            h.run(TunnelEncap.NAME, inject(h, inner, 0));
            assertEquals(1, h.errors(TunnelEncap.NAME, "fragmentation not supported"));
            assertEquals(0, h.captured(ICMP4).size());
        }
    }

    @Test
    void tooBigIp6GetsPacketTooBigWithTheTunnelInnerMtu() {
        net.tunnelsA.updateUnderlay(net.tunnelIndex[2], net.underlay, TunnelNetwork.UNDERLAY_TX, 1400);
        byte[] inner = udp6(POD_A_HI, 5, POD_B_HI, 7, 5000, 53, 0, 1381);
        try (StageHarness h = new StageHarness(net.encap())) {
            h.run(TunnelEncap.NAME, inject(h, inner, 2));
            int bi = h.captured(ICMP6).get(0);
            int opaque = h.memory().opaque(bi);
            assertEquals(2, IcmpErrorRequest.type(opaque));
            assertEquals(0, IcmpErrorRequest.code(opaque));
            assertEquals(1380, IcmpErrorRequest.parameter(opaque));
            assertArrayEquals(inner, h.memory().read(bi));
        }
    }

    @Test
    void gsoSuperPacketIsSegmentedBeforeEncapsulation() {
        byte[] inner = udp4(addr(10, 1, 0, 5), addr(10, 2, 0, 7), 40000, 443, 0, DF, 4000);
        try (StageHarness h = new StageHarness(net.encap())) {
            int bi = inject(h, inner, 0);
            h.memory().gsoSize(bi, 1448);
            h.run(TunnelEncap.NAME, bi);
            assertEquals(1, h.captured(GSO).size());
            int out = h.captured(GSO).get(0);
            assertArrayEquals(inner, h.memory().read(out), "not encapsulated yet");
            assertEquals(net.tunnelAdjacency[0], h.memory().nextHop(out), "segments come back to the same tunnel");
        }
    }

    @Test
    void adjacencyThatIsNotATunnelIsDropped() {
        byte[] inner = udp4(addr(10, 1, 0, 5), addr(10, 2, 0, 7), 40000, 443, 0, DF, 100);
        try (StageHarness h = new StageHarness(net.encap())) {
            int neighbour = h.packet(inner, 1);
            h.memory().nextHop(neighbour, net.underlay);
            int drop = h.packet(inner, 1);
            h.memory().nextHop(drop, AdjacencyTable.DROP);
            int outOfRange = h.packet(inner, 1);
            h.memory().nextHop(outOfRange, 1_000_000);
            h.run(TunnelEncap.NAME, neighbour, drop, outOfRange);
            assertEquals(3, h.errors(TunnelEncap.NAME, "no such tunnel"));
        }
    }

    @Test
    void tunnelRemovedSinceTheLookupIsDropped() {
        byte[] inner = udp4(addr(10, 1, 0, 5), addr(10, 2, 0, 7), 40000, 443, 0, DF, 100);
        try (StageHarness h = new StageHarness(net.liveEncap())) {
            net.tunnelsA.remove(net.tunnelIndex[1]);
            h.run(TunnelEncap.NAME, inject(h, inner, 1));
            assertEquals(1, h.errors(TunnelEncap.NAME, "no such tunnel"));
            h.run(TunnelEncap.NAME, inject(h, inner, 0));
            assertEquals(1, h.captured(REWRITE).size(), "the other tunnels still work");
        }
    }

    @Test
    void innerThatIsNotIpIsDropped() {
        byte[] arp = new byte[28];
        arp[0] = 0x00;
        byte[] shortIp4 = new byte[19];
        shortIp4[0] = 0x45;
        byte[] shortIp6 = new byte[39];
        shortIp6[0] = 0x60;
        try (StageHarness h = new StageHarness(net.encap())) {
            h.run(TunnelEncap.NAME, inject(h, arp, 0), inject(h, shortIp4, 0), inject(h, shortIp6, 0),
                    inject(h, new byte[0], 0));
            assertEquals(4, h.errors(TunnelEncap.NAME, "inner packet not ip"));
        }
    }

    @Test
    void packetWithoutHeadroomIsDropped() {
        byte[] inner = udp4(addr(10, 1, 0, 5), addr(10, 2, 0, 7), 40000, 443, 0, DF, 100);
        try (StageHarness h = new StageHarness(net.encap())) {
            int bi = inject(h, inner, 0);
            PacketMemory mem = h.memory();
            // Slide the packet to the very front of its buffer: 10 bytes of headroom left.
            byte[] bytes = mem.read(bi);
            mem.dataOffset(bi, 10);
            mem.write(bi, bytes);
            h.run(TunnelEncap.NAME, bi);
            assertEquals(1, h.errors(TunnelEncap.NAME, "no headroom for outer header"));
        }
    }

    @Test
    void innerTtlSpentGetsTimeExceededInsteadOfTheTunnel() {
        byte[] inner4 = udp4(addr(10, 1, 0, 5), addr(10, 2, 0, 7), 40000, 443, 0, DF, 100);
        inner4[8] = 1;
        TunnelTestPackets.put16(inner4, 10, 0);
        TunnelTestPackets.put16(inner4, 10, TunnelTestPackets.checksum(inner4, 0, 20));
        byte[] inner6 = udp6(POD_A_HI, 5, POD_B_HI, 7, 5000, 53, 0, 140);
        inner6[7] = 1;
        try (StageHarness h = new StageHarness(net.encap())) {
            int bi4 = inject(h, inner4, 0);
            int bi6 = inject(h, inner6, 0);
            h.run(TunnelEncap.NAME, bi4, bi6);
            assertEquals(2, h.errors(TunnelEncap.NAME, "inner ttl expired"));
            assertEquals(List.of(bi4), h.captured("ipip-encap.icmp4-error"));
            assertEquals(List.of(bi6), h.captured("ipip-encap.icmp6-error"));
            assertEquals(11, IcmpErrorRequest.type(h.memory().opaque(bi4)));
            assertEquals(3, IcmpErrorRequest.type(h.memory().opaque(bi6)));
            assertArrayEquals(inner4, h.memory().read(bi4), "the error quotes the packet as received");
            assertArrayEquals(inner6, h.memory().read(bi6));
            assertEquals(0, h.captured(REWRITE).size());
        }
    }

    @Test
    void traceShowsTheTunnelAdjacencyAndInnerAddresses() {
        byte[] inner = udp4(addr(10, 1, 0, 5), addr(10, 2, 0, 7), 40000, 443, 0, DF, 100);
        TunnelEncap encap = net.encap();
        try (StageHarness h = new StageHarness(encap)) {
            int bi = inject(h, inner, 2);
            String trace = encap.formatTrace(h.memory(), bi);
            assertEquals("tunnel adjacency " + net.tunnelAdjacency[2] + " inner 10.1.0.5 -> 10.2.0.7 length 100",
                    trace);
            h.run(TunnelEncap.NAME, bi);
        }
    }
}
