package dev.cipherlane.stages.fib;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cipherlane.stages.wire.IpProtocol;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FlowHashTest {

    private static final ValueLayout.OfInt INT_BE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfLong LONG_BE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfShort SHORT_BE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    @Test
    void ip4HashIsSymmetric() {
        Random random = new Random(11);
        for (int i = 0; i < 100_000; i++) {
            int a = random.nextInt();
            int b = random.nextBoolean() ? random.nextInt() : a;
            int proto = random.nextInt(256);
            int pa = random.nextInt(65536);
            int pb = random.nextInt(65536);
            assertEquals(FlowHash.hash4(a, b, proto, pa, pb), FlowHash.hash4(b, a, proto, pb, pa));
        }
    }

    @Test
    void ip6HashIsSymmetric() {
        Random random = new Random(12);
        for (int i = 0; i < 100_000; i++) {
            long aHi = random.nextLong();
            long aLo = random.nextLong();
            // Same upper half half of the time, as for two pods in one /64.
            long bHi = random.nextBoolean() ? aHi : random.nextLong();
            long bLo = random.nextLong();
            int proto = random.nextInt(256);
            int pa = random.nextInt(65536);
            int pb = random.nextInt(65536);
            assertEquals(FlowHash.hash6(aHi, aLo, bHi, bLo, proto, pa, pb),
                    FlowHash.hash6(bHi, bLo, aHi, aLo, proto, pb, pa));
        }
    }

    @Test
    void swappingOnlyPortsOrOnlyAddressesIsADifferentFlow() {
        int a = 0x0A00_0001;
        int b = 0x0A00_0002;
        int forward = FlowHash.hash4(a, b, IpProtocol.TCP, 1000, 2000);
        assertNotEquals(forward, FlowHash.hash4(a, b, IpProtocol.TCP, 2000, 1000));
        assertNotEquals(forward, FlowHash.hash4(b, a, IpProtocol.TCP, 1000, 2000));
        assertNotEquals(forward, FlowHash.hash4(a, b, IpProtocol.UDP, 1000, 2000));
        assertNotEquals(FlowHash.hash6(0, 1, 0, 2, IpProtocol.TCP, 1000, 2000),
                FlowHash.hash6(0, 1, 0, 2, IpProtocol.TCP, 2000, 1000));
    }

    /**
     * Pinned values: a change here moves every existing flow to another ECMP path after an
     * upgrade. Change them only on purpose.
     */
    @Test
    void hashesAreStableAcrossRuns() {
        assertEquals(-1911586345, FlowHash.hash4(0x0A00_0001, 0x0A00_0002, 6, 40000, 443));
        assertEquals(-1179399859, FlowHash.hash4(0xC0A8_0101, 0x0808_0808, 17, 53000, 53));
        assertEquals(-726130521, FlowHash.hash4(0, 0, 0, 0, 0));
        assertEquals(450374410, FlowHash.hash4(0xFFFF_FFFF, 0x7F00_0001, 1, 0, 0));
        assertEquals(1788737872, FlowHash.hash6(0xFD00_0000_0000_0000L, 1L, 0xFD00_0000_0000_0000L, 2L, 6, 40000, 443));
        assertEquals(-1099929619,
                FlowHash.hash6(0x2001_0DB8_0000_0000L, 1L, 0x2001_0DB8_FFFF_0000L, 0xABCDL, 17, 4500, 4500));
        assertEquals(-108766352, FlowHash.hash6(0, 0, 0, 0, 0, 0, 0));
    }

    @Test
    void fourWayEcmpSpreadsRandomFlowsEvenly() {
        AdjacencyTable adjacencies = new AdjacencyTable();
        int[] paths = new int[4];
        for (int i = 0; i < paths.length; i++) {
            paths[i] = adjacencies.addGlean4(i);
        }
        LoadBalanceTable loadBalances = new LoadBalanceTable(adjacencies);
        int lbIndex = loadBalances.create(paths);
        LoadBalanceTable.Snapshot lb = loadBalances.snapshot();
        Random random = new Random(13);
        int[] perPath4 = new int[adjacencies.size()];
        int[] perPath6 = new int[adjacencies.size()];
        int flows = 10_000;
        for (int i = 0; i < flows; i++) {
            // Pod-to-pod flows look alike: one /16 of sources, a few services, ephemeral ports.
            int src = 0x0A01_0000 | random.nextInt(1 << 16);
            int dst = 0x0A02_0000 | random.nextInt(16);
            int sport = 32768 + random.nextInt(28232);
            perPath4[lb.pick(lbIndex, FlowHash.hash4(src, dst, IpProtocol.TCP, sport, 443))]++;
            long prefix = 0xFD00_0000_0000_0000L;
            perPath6[lb.pick(lbIndex, FlowHash.hash6(prefix, random.nextInt(1 << 16), prefix | 1, random.nextInt(16),
                    IpProtocol.UDP, sport, 4789))]++;
        }
        for (int path : paths) {
            assertShare(perPath4[path], flows);
            assertShare(perPath6[path], flows);
        }
    }

    @Test
    void lowBitsOfHashesOfSimilarFlowsDiffer() {
        // Sequential addresses and ports must not collapse onto few buckets of a 16-bucket mask.
        Set<Integer> buckets = new HashSet<>();
        for (int port = 1000; port < 1016; port++) {
            buckets.add(FlowHash.hash4(0x0A00_0001, 0x0A00_0002, IpProtocol.UDP, port, 53) & 15);
        }
        assertTrue(buckets.size() >= 8, "only " + buckets.size() + " of 16 buckets used");
    }

    @Test
    void ip4PacketHashEqualsTupleHash() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment packet = arena.allocate(128);
            long ip = 14;
            long l4 = ip + 24; // IHL 6: one options word
            writeIp4(packet, ip, IpProtocol.TCP, 0x0A00_0001, 0xC0A8_0001, 0x4000); // DF only
            packet.set(ValueLayout.JAVA_BYTE, ip, (byte) 0x46);
            packet.set(SHORT_BE, l4, (short) 40000);
            packet.set(SHORT_BE, l4 + 2, (short) 443);
            assertEquals(FlowHash.hash4(0x0A00_0001, 0xC0A8_0001, IpProtocol.TCP, 40000, 443),
                    FlowHash.hash4(packet, ip, l4));

            writeIp4(packet, ip, FlowHash.SCTP, 0x0A00_0001, 0xC0A8_0001, 0);
            assertEquals(FlowHash.hash4(0x0A00_0001, 0xC0A8_0001, FlowHash.SCTP, 40000, 443),
                    FlowHash.hash4(packet, ip, l4));
        }
    }

    @Test
    void ip4FragmentsAndPortlessProtocolsHashWithoutPorts() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment packet = arena.allocate(64);
            packet.set(SHORT_BE, 20, (short) 1234);
            packet.set(SHORT_BE, 22, (short) 5678);
            int a = 0x0A00_0001;
            int b = 0x0A00_0002;
            int noPorts = FlowHash.hash4(a, b, IpProtocol.UDP, 0, 0);
            writeIp4(packet, 0, IpProtocol.UDP, a, b, 0x2000); // first fragment: MF set
            assertEquals(noPorts, FlowHash.hash4(packet, 0, 20));
            writeIp4(packet, 0, IpProtocol.UDP, a, b, 0x00B9); // last fragment: offset only
            assertEquals(noPorts, FlowHash.hash4(packet, 0, 20));
            writeIp4(packet, 0, IpProtocol.UDP, a, b, 0x4000); // DF, not a fragment
            assertEquals(FlowHash.hash4(a, b, IpProtocol.UDP, 1234, 5678), FlowHash.hash4(packet, 0, 20));
            writeIp4(packet, 0, 1, a, b, 0); // ICMP: the L4 bytes are not ports
            assertEquals(FlowHash.hash4(a, b, 1, 0, 0), FlowHash.hash4(packet, 0, 20));
        }
    }

    @Test
    void ip6PacketHashWalksExtensionHeaders() {
        long srcHi = 0xFD00_0000_0000_0001L;
        long dstHi = 0xFD00_0000_0000_0002L;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment packet = arena.allocate(256);
            long ip = 14;

            writeIp6(packet, ip, IpProtocol.TCP, srcHi, 5, dstHi, 6);
            long l4 = ip + 40;
            packet.set(SHORT_BE, l4, (short) 50000);
            packet.set(SHORT_BE, l4 + 2, (short) 22);
            int plain = FlowHash.hash6(srcHi, 5, dstHi, 6, IpProtocol.TCP, 50000, 22);
            assertEquals(plain, FlowHash.hash6(packet, ip, l4));

            // Hop-by-hop (8 bytes) then destination options (16 bytes) then UDP.
            writeIp6(packet, ip, 0, srcHi, 5, dstHi, 6);
            packet.set(ValueLayout.JAVA_BYTE, ip + 40, (byte) 60);
            packet.set(ValueLayout.JAVA_BYTE, ip + 41, (byte) 0);
            packet.set(ValueLayout.JAVA_BYTE, ip + 48, (byte) IpProtocol.UDP);
            packet.set(ValueLayout.JAVA_BYTE, ip + 49, (byte) 1);
            l4 = ip + 64;
            packet.set(SHORT_BE, l4, (short) 4500);
            packet.set(SHORT_BE, l4 + 2, (short) 4500);
            assertEquals(FlowHash.hash6(srcHi, 5, dstHi, 6, IpProtocol.UDP, 4500, 4500), FlowHash.hash6(packet, ip, l4));

            // A Fragment header: every fragment hashes without ports, under the upper protocol.
            writeIp6(packet, ip, 44, srcHi, 5, dstHi, 6);
            packet.set(ValueLayout.JAVA_BYTE, ip + 40, (byte) IpProtocol.UDP);
            l4 = ip + 48;
            assertEquals(FlowHash.hash6(srcHi, 5, dstHi, 6, IpProtocol.UDP, 0, 0), FlowHash.hash6(packet, ip, l4));

            // ESP cannot be stepped over; an l4Offset past it means no ports.
            writeIp6(packet, ip, 50, srcHi, 5, dstHi, 6);
            assertEquals(FlowHash.hash6(srcHi, 5, dstHi, 6, 50, 0, 0), FlowHash.hash6(packet, ip, ip + 48));
        }
    }

    private static void assertShare(int count, int flows) {
        double share = (double) count / flows;
        assertTrue(share >= 0.20 && share <= 0.30, "path got " + share + " of the flows");
    }

    private static void writeIp4(MemorySegment packet, long at, int protocol, int src, int dst, int flagsAndOffset) {
        packet.set(ValueLayout.JAVA_BYTE, at, (byte) 0x45);
        packet.set(SHORT_BE, at + 6, (short) flagsAndOffset);
        packet.set(ValueLayout.JAVA_BYTE, at + 9, (byte) protocol);
        packet.set(INT_BE, at + 12, src);
        packet.set(INT_BE, at + 16, dst);
    }

    private static void writeIp6(MemorySegment packet, long at, int nextHeader, long srcHi, long srcLo, long dstHi,
                                 long dstLo) {
        packet.set(INT_BE, at, 0x6000_0000);
        packet.set(ValueLayout.JAVA_BYTE, at + 6, (byte) nextHeader);
        packet.set(LONG_BE, at + 8, srcHi);
        packet.set(LONG_BE, at + 16, srcLo);
        packet.set(LONG_BE, at + 24, dstHi);
        packet.set(LONG_BE, at + 32, dstLo);
    }
}
