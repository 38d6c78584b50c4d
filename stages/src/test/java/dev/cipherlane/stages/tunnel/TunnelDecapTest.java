package dev.cipherlane.stages.tunnel;

import static dev.cipherlane.stages.tunnel.TunnelTestPackets.DF;
import static dev.cipherlane.stages.tunnel.TunnelTestPackets.addr;
import static dev.cipherlane.stages.tunnel.TunnelTestPackets.concat;
import static dev.cipherlane.stages.tunnel.TunnelTestPackets.outerHeader;
import static dev.cipherlane.stages.tunnel.TunnelTestPackets.put16;
import static dev.cipherlane.stages.tunnel.TunnelTestPackets.udp4;
import static dev.cipherlane.stages.tunnel.TunnelTestPackets.udp6;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cipherlane.stages.buffer.PacketFlags;
import dev.cipherlane.stages.buffer.PacketMemory;
import dev.cipherlane.stages.testing.StageHarness;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class TunnelDecapTest {
    private static final String IP4 = "ipip-decap.ip4";
    private static final String IP6 = "ipip-decap.ip6";
    private static final long POD_A_HI = 0xFD00_0000_0000_000AL;
    private static final long POD_B_HI = 0xFD00_0000_0000_000BL;

    private final TunnelNetwork net = new TunnelNetwork();

    /** What node B receives from A over tunnel {@code i}: the outer packet, built independently. */
    private static byte[] fromA(int i, int outerTos, int protocol, byte[] inner) {
        return concat(outerHeader(outerTos, inner.length + 20, protocol, TunnelNetwork.localA(i),
                TunnelNetwork.localB(i)), inner);
    }

    @Test
    void encapsulatedByAAndDecapsulatedByBGivesBackTheInnerPackets() {
        byte[] inner4 = udp4(addr(10, 1, 0, 5), addr(10, 2, 0, 7), 40000, 443, 46 << 2, DF, 300);
        byte[] inner6 = udp6(POD_A_HI, 5, POD_B_HI, 7, 5000, 53, 34 << 2 | 2, 200);
        try (StageHarness h = new StageHarness(net.encap(), net.decapB())
                .connect(TunnelEncap.NAME, "rewrite", TunnelDecap.NAME)) {
            int a = h.packet(inner4, 1);
            h.memory().nextHop(a, net.tunnelAdjacency[0]);
            int b = h.packet(inner6, 1);
            h.memory().nextHop(b, net.tunnelAdjacency[3]);
            h.memory().setFlag(b, PacketFlags.LOCAL);
            h.run(TunnelEncap.NAME, a, b);
            // Entering the tunnel was one hop of the inner network (RFC 2003 section 3.1).
            assertArrayEquals(TunnelTestPackets.hopped(inner4), h.capturedBytes(IP4).get(0));
            assertArrayEquals(TunnelTestPackets.hopped(inner6), h.capturedBytes(IP6).get(0));
            PacketMemory mem = h.memory();
            int out6 = h.captured(IP6).get(0);
            assertTrue(mem.hasFlag(out6, PacketFlags.IP6));
            assertFalse(mem.hasFlag(out6, PacketFlags.LOCAL), "the inner packet is looked up afresh");
            assertEquals(mem.dataOffset(out6), mem.l3Offset(out6));
            assertFalse(mem.hasFlag(h.captured(IP4).get(0), PacketFlags.IP6));
        }
    }

    @Test
    void aDecapsulatedPacketSaysWhichTunnelItCameThrough() {
        byte[] inner = udp4(addr(10, 1, 0, 5), addr(10, 2, 0, 7), 40000, 443, 0, DF, 100);
        try (StageHarness h = new StageHarness(net.decapB())) {
            int bi = h.packet(fromA(2, 0, 4, inner), 2);
            h.memory().setFlag(bi, PacketFlags.LOCAL);
            h.run(TunnelDecap.NAME, bi);
            int out = h.captured(IP4).get(0);
            // The lookup judges its source by that tunnel's peer (RFC 4301 section 5.2).
            assertTrue(h.memory().hasFlag(out, PacketFlags.DECAPSULATED));
            assertEquals(net.tunnelsB.snapshot().find(TunnelNetwork.localA(2), TunnelNetwork.localB(2)),
                    h.memory().opaque(out));
            assertEquals(2, h.memory().rxInterface(out), "rx stays the underlay interface");
        }
    }

    @Test
    void outerPairThatIsNoTunnelIsDropped() {
        byte[] inner = udp4(addr(10, 1, 0, 5), addr(10, 2, 0, 7), 40000, 443, 0, DF, 100);
        byte[] stranger = concat(outerHeader(0, 120, 4, addr(192, 0, 2, 66), TunnelNetwork.localB(0)), inner);
        // B's own direction: a packet B would send, looped back, is no tunnel B receives on.
        byte[] reversed = concat(outerHeader(0, 120, 4, TunnelNetwork.localB(0), TunnelNetwork.localA(0)), inner);
        // Real addresses of two different tunnels mixed.
        byte[] crossed = concat(outerHeader(0, 120, 4, TunnelNetwork.localA(0), TunnelNetwork.localB(1)), inner);
        try (StageHarness h = new StageHarness(net.decapB())) {
            h.run(TunnelDecap.NAME, h.packet(stranger, 2), h.packet(reversed, 2), h.packet(crossed, 2));
            assertEquals(3, h.errors(TunnelDecap.NAME, "unknown tunnel"));
            assertEquals(0, h.captured(IP4).size());
        }
    }

    @Test
    void linkPaddingAfterTheOuterPacketIsRemoved() {
        byte[] inner = udp4(addr(10, 1, 0, 5), addr(10, 2, 0, 7), 40000, 443, 0, DF, 28);
        byte[] padded = Arrays.copyOf(fromA(0, 0, 4, inner), 60);
        try (StageHarness h = new StageHarness(net.decapB())) {
            h.run(TunnelDecap.NAME, h.packet(padded, 2));
            assertArrayEquals(inner, h.capturedBytes(IP4).get(0));
        }
    }

    @Test
    void outerCeOnEctInnerMarksTheInnerIp4HeaderAndKeepsItsChecksumRight() {
        byte[] inner = udp4(addr(10, 1, 0, 5), addr(10, 2, 0, 7), 40000, 443, 46 << 2 | 2, DF, 100);
        try (StageHarness h = new StageHarness(net.decapB())) {
            h.run(TunnelDecap.NAME, h.packet(fromA(1, 46 << 2 | 3, 4, inner), 2));
            byte[] out = h.capturedBytes(IP4).get(0);
            assertEquals(46 << 2 | 3, out[1] & 0xFF, "CE");
            assertTrue(TunnelTestPackets.headerChecksumValid(out, 0));
            byte[] expected = inner.clone();
            expected[1] = (byte) (46 << 2 | 3);
            put16(expected, 10, 0);
            put16(expected, 10, TunnelTestPackets.checksum(expected, 0, 20));
            assertArrayEquals(expected, out);
        }
    }

    @Test
    void outerCeOnNotEctInnerIsDropped() {
        byte[] inner4 = udp4(addr(10, 1, 0, 5), addr(10, 2, 0, 7), 40000, 443, 0, DF, 100);
        byte[] inner6 = udp6(POD_A_HI, 5, POD_B_HI, 7, 5000, 53, 0, 100);
        try (StageHarness h = new StageHarness(net.decapB())) {
            h.run(TunnelDecap.NAME, h.packet(fromA(0, 3, 4, inner4), 2), h.packet(fromA(0, 3, 41, inner6), 2));
            assertEquals(2, h.errors(TunnelDecap.NAME, "ecn decap error"));
        }
    }

    @Test
    void outerEct1OnEct0InnerIp6BecomesEct1() {
        byte[] inner = udp6(POD_A_HI, 5, POD_B_HI, 7, 5000, 53, 10 << 2 | 2, 100);
        try (StageHarness h = new StageHarness(net.decapB())) {
            h.run(TunnelDecap.NAME, h.packet(fromA(2, 1, 41, inner), 2));
            byte[] expected = udp6(POD_A_HI, 5, POD_B_HI, 7, 5000, 53, 10 << 2 | 1, 100);
            assertArrayEquals(expected, h.capturedBytes(IP6).get(0));
        }
    }

    @Test
    void malformedOuterPacketsAreDroppedUnderTheirOwnReasons() {
        byte[] inner4 = udp4(addr(10, 1, 0, 5), addr(10, 2, 0, 7), 40000, 443, 0, DF, 100);
        byte[] inner6 = udp6(POD_A_HI, 5, POD_B_HI, 7, 5000, 53, 0, 100);
        byte[] runt = Arrays.copyOf(fromA(0, 0, 4, inner4), 19);
        byte[] badHeader = fromA(0, 0, 4, inner4);
        badHeader[0] = 0x44;
        byte[] tooLong = fromA(0, 0, 4, inner4);
        put16(tooLong, 2, tooLong.length + 1);
        byte[] fragment = fromA(0, 0, 4, inner4);
        put16(fragment, 6, 0x2000);
        byte[] gre = fromA(0, 0, 47, inner4);
        byte[] v6InProto4 = fromA(0, 0, 4, inner6);
        byte[] v4InProto41 = fromA(0, 0, 41, inner4);
        byte[] innerRunt = fromA(0, 0, 41, Arrays.copyOf(inner6, 39));
        try (StageHarness h = new StageHarness(net.decapB())) {
            h.run(TunnelDecap.NAME, h.packet(runt, 2), h.packet(badHeader, 2), h.packet(tooLong, 2),
                    h.packet(fragment, 2), h.packet(gre, 2), h.packet(v6InProto4, 2), h.packet(v4InProto41, 2),
                    h.packet(innerRunt, 2));
            assertEquals(1, h.errors(TunnelDecap.NAME, "outer ip4 runt"));
            assertEquals(1, h.errors(TunnelDecap.NAME, "outer ip4 bad header"));
            assertEquals(1, h.errors(TunnelDecap.NAME, "outer ip4 length mismatch"));
            assertEquals(1, h.errors(TunnelDecap.NAME, "outer ip4 fragment"));
            assertEquals(1, h.errors(TunnelDecap.NAME, "not an ipip packet"));
            assertEquals(2, h.errors(TunnelDecap.NAME, "inner version does not match outer protocol"));
            assertEquals(1, h.errors(TunnelDecap.NAME, "inner packet runt"));
            assertEquals(0, h.captured(IP4).size() + h.captured(IP6).size());
        }
    }

    @Test
    void outerOptionsAreStrippedWithTheHeader() {
        byte[] inner = udp4(addr(10, 1, 0, 5), addr(10, 2, 0, 7), 40000, 443, 0, DF, 100);
        byte[] header = new byte[24];
        System.arraycopy(outerHeader(0, 124, 4, TunnelNetwork.localA(0), TunnelNetwork.localB(0)), 0, header, 0, 20);
        header[0] = 0x46;
        header[20] = 1; // NOP options (RFC 791): four of them fill the extra word.
        header[21] = 1;
        header[22] = 1;
        header[23] = 1;
        put16(header, 10, 0);
        put16(header, 10, TunnelTestPackets.checksum(header, 0, 24));
        try (StageHarness h = new StageHarness(net.decapB())) {
            h.run(TunnelDecap.NAME, h.packet(concat(header, inner), 2));
            assertArrayEquals(inner, h.capturedBytes(IP4).get(0));
        }
    }

    @Test
    void traceShowsTheOuterHeader() {
        byte[] inner = udp4(addr(10, 1, 0, 5), addr(10, 2, 0, 7), 40000, 443, 0, DF, 100);
        TunnelDecap decap = net.decapB();
        try (StageHarness h = new StageHarness(decap)) {
            int bi = h.packet(fromA(1, 2, 4, inner), 2);
            assertEquals("outer 10.0.1.2 -> 10.0.2.2 proto 4 tos 0x2 length 120", decap.formatTrace(h.memory(), bi));
            h.run(TunnelDecap.NAME, bi);
        }
    }
}
