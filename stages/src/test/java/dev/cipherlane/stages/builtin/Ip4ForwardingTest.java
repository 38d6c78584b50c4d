package dev.cipherlane.stages.builtin;

import static dev.cipherlane.stages.builtin.Ip4TestPackets.DF;
import static dev.cipherlane.stages.builtin.Ip4TestPackets.addr;
import static dev.cipherlane.stages.builtin.Ip4TestPackets.get16;
import static dev.cipherlane.stages.builtin.Ip4TestPackets.referenceChecksum;
import static dev.cipherlane.stages.builtin.Ip4TestPackets.udp4;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cipherlane.stages.buffer.PacketFlags;
import dev.cipherlane.stages.buffer.PacketMemory;
import dev.cipherlane.stages.fib.FlowHash;
import dev.cipherlane.stages.testing.StageHarness;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** ip4-input -> ip4-lookup -> ip4-rewrite over the {@link IpTestNetwork}. */
class Ip4ForwardingTest {
    private static final int SENDER = addr(192, 168, 1, 9);
    private static final String TX = "ip4-rewrite.tx";
    private static final String ICMP = "ip4-rewrite.icmp-error";

    private final IpTestNetwork net = network();

    /** The network under test; {@link Ip4CachedForwardingTest} runs these tests with the other lookup. */
    IpTestNetwork network() {
        return new IpTestNetwork();
    }

    private StageHarness harness() {
        return new StageHarness(new Ip4Input(), net.ip4Lookup(), net.ip4Rewrite())
                .connect(Ip4Input.NAME, "lookup", Ip4Lookup.NAME)
                .connect(Ip4Lookup.NAME, "rewrite", Ip4Rewrite.NAME);
    }

    /** What the wire should carry: Ethernet header, then the packet with TTL-1 and a recomputed checksum. */
    private static byte[] expectedFrame(byte[] packet, byte[] dstMac, byte[] srcMac) {
        byte[] ip = packet.clone();
        ip[8]--;
        ip[10] = 0;
        ip[11] = 0;
        int checksum = referenceChecksum(ip, 0, 20);
        ip[10] = (byte) (checksum >>> 8);
        ip[11] = (byte) checksum;
        byte[] l2 = new byte[14];
        System.arraycopy(dstMac, 0, l2, 0, 6);
        System.arraycopy(srcMac, 0, l2, 6, 6);
        l2[12] = 0x08;
        return Ip4TestPackets.concat(l2, ip);
    }

    @Test
    void forwardsWithTtlDecrementedChecksumUpdatedAndEthernetHeaderPrepended() {
        try (StageHarness h = harness()) {
            for (int ttl : new int[] {2, 64, 255}) {
                byte[] p = udp4(SENDER, addr(192, 168, 1, 77), 1000 + ttl, 80, ttl, DF, 100);
                int bi = h.packet(p, 0);
                h.run(Ip4Input.NAME, bi);
                List<Integer> out = h.captured(TX);
                assertEquals(bi, out.get(out.size() - 1));
                byte[] frame = h.memory().read(bi);
                assertArrayEquals(expectedFrame(p, IpTestNetwork.MAC_A, IpTestNetwork.MAC_IF1), frame, "ttl " + ttl);
                assertEquals(0, referenceChecksum(frame, 14, 20), "header sums to all ones");
                assertEquals(ttl - 1, frame[14 + 8] & 0xFF);
                assertEquals(net.adjA, h.memory().nextHop(bi));
                assertEquals(1, h.memory().txInterface(bi));
                assertEquals(h.memory().dataOffset(bi) + 14, h.memory().l3Offset(bi));
            }
            assertEquals(3, h.captured(TX).size());
        }
    }

    @Test
    void longestPrefixWins() {
        try (StageHarness h = harness()) {
            byte[] viaB = udp4(SENDER, addr(192, 168, 2, 5), 64);
            byte[] viaA = udp4(SENDER, addr(192, 168, 1, 5), 64);
            int b = h.packet(viaB, 0);
            int a = h.packet(viaA, 0);
            h.run(Ip4Input.NAME, b, a);
            assertArrayEquals(expectedFrame(viaB, IpTestNetwork.MAC_B, IpTestNetwork.MAC_IF2), h.memory().read(b));
            assertArrayEquals(expectedFrame(viaA, IpTestNetwork.MAC_A, IpTestNetwork.MAC_IF1), h.memory().read(a));
            assertEquals(2, h.memory().txInterface(b));
        }
    }

    @Test
    void ecmpSpreadsFlowsByFlowHashAndKeepsEachFlowOnOnePath() {
        try (StageHarness h = harness()) {
            int flows = 200;
            int[] bis = new int[2 * flows];
            for (int i = 0; i < flows; i++) {
                byte[] p = udp4(SENDER, addr(172, 16, 5, 5), 20000 + i, 443, 64, DF, 20);
                bis[2 * i] = h.packet(p, 0);
                bis[2 * i + 1] = h.packet(p, 0);
            }
            h.run(Ip4Input.NAME, bis);
            assertEquals(2 * flows, h.captured(TX).size());
            Map<Integer, Integer> perPath = new HashMap<>();
            PacketMemory mem = h.memory();
            for (int i = 0; i < flows; i++) {
                int hash = FlowHash.hash4(SENDER, addr(172, 16, 5, 5), 17, 20000 + i, 443);
                int expected = net.current().loadBalances().pick(net.lbEcmp, hash);
                int first = bis[2 * i];
                int second = bis[2 * i + 1];
                assertEquals(expected, mem.nextHop(first), "flow " + i);
                assertEquals(expected, mem.nextHop(second), "same flow, same path");
                byte[] frame = mem.read(first);
                byte[] mac = expected == net.adjA ? IpTestNetwork.MAC_A : IpTestNetwork.MAC_B;
                assertArrayEquals(mac, Arrays.copyOf(frame, 6));
                assertEquals(expected == net.adjA ? 1 : 2, mem.txInterface(first));
                perPath.merge(expected, 1, Integer::sum);
            }
            assertEquals(2, perPath.size(), "both paths used");
            assertTrue(perPath.get(net.adjA) >= 50 && perPath.get(net.adjB) >= 50, perPath.toString());
        }
    }

    @Test
    void localDeliveryKeepsTtlEvenWhenItIsOne() {
        try (StageHarness h = harness()) {
            byte[] p = udp4(SENDER, addr(10, 0, 0, 1), 1);
            int bi = h.packet(p, 0);
            h.run(Ip4Input.NAME, bi);
            assertEquals(List.of(bi), h.captured("ip4-lookup.local"));
            assertArrayEquals(p, h.memory().read(bi));
            assertTrue(h.memory().hasFlag(bi, PacketFlags.LOCAL));
            assertEquals(net.adjLocal, h.memory().nextHop(bi));
            assertEquals(0, h.errors(Ip4Rewrite.NAME, "ttl expired"));
        }
    }

    @Test
    void unresolvedNeighboursGoToGleanPuntToPuntAndNoRouteIsDropped() {
        try (StageHarness h = harness()) {
            int glean = h.packet(udp4(SENDER, addr(10, 1, 0, 7), 64), 0);
            int incomplete = h.packet(udp4(SENDER, addr(10, 9, 1, 1), 64), 0);
            int punt = h.packet(udp4(SENDER, addr(224, 0, 0, 5), 64), 0);
            int none = h.packet(udp4(SENDER, addr(8, 8, 8, 8), 64), 0);
            h.run(Ip4Input.NAME, glean, incomplete, punt, none);
            assertEquals(List.of(glean, incomplete), h.captured("ip4-lookup.glean"));
            assertEquals(net.adjGlean, h.memory().nextHop(glean));
            assertEquals(1, h.memory().txInterface(glean));
            assertEquals(net.adjIncomplete, h.memory().nextHop(incomplete));
            assertEquals(List.of(punt), h.captured("ip4-lookup.punt"));
            assertEquals(1, h.errors(Ip4Lookup.NAME, "no route"));
            assertEquals(0, h.captured(TX).size());
        }
    }

    @Test
    void ttlOneOrZeroOnAForwardedPacketAsksForTimeExceeded() {
        try (StageHarness h = harness()) {
            byte[] one = udp4(SENDER, addr(192, 168, 1, 77), 1);
            byte[] zero = udp4(SENDER, addr(192, 168, 1, 77), 0);
            int a = h.packet(one, 0);
            int b = h.packet(zero, 0);
            h.run(Ip4Input.NAME, a, b);
            assertEquals(List.of(a, b), h.captured(ICMP));
            assertEquals(2, h.errors(Ip4Rewrite.NAME, "ttl expired"));
            for (int bi : new int[] {a, b}) {
                int request = h.memory().opaque(bi);
                assertEquals(11, IcmpErrorRequest.type(request));
                assertEquals(0, IcmpErrorRequest.code(request));
            }
            // Untouched, so the error quotes the packet as received.
            assertArrayEquals(one, h.memory().read(a));
            assertArrayEquals(zero, h.memory().read(b));
        }
    }

    @Test
    void tooBigWithDfAsksForFragmentationNeededWithoutDfIsDropped() {
        try (StageHarness h = harness()) {
            // Via B on the narrow interface, MTU 1400: 20 + 8 + 1372 = 1400 fits, one more does not.
            byte[] fits = udp4(SENDER, addr(192, 168, 2, 5), 1, 2, 64, DF, 1372);
            byte[] tooBigDf = udp4(SENDER, addr(192, 168, 2, 5), 1, 2, 64, DF, 1373);
            byte[] tooBig = udp4(SENDER, addr(192, 168, 2, 5), 1, 2, 64, 0, 1373);
            int f = h.packet(fits, 0);
            int d = h.packet(tooBigDf, 0);
            int n = h.packet(tooBig, 0);
            h.run(Ip4Input.NAME, f, d, n);
            assertEquals(List.of(f), h.captured(TX));
            assertEquals(1414, h.memory().length(f));
            assertEquals(List.of(d), h.captured(ICMP));
            int request = h.memory().opaque(d);
            assertEquals(3, IcmpErrorRequest.type(request));
            assertEquals(4, IcmpErrorRequest.code(request));
            assertEquals(1400, IcmpErrorRequest.parameter(request));
            assertArrayEquals(tooBigDf, h.memory().read(d));
            assertEquals(1, h.errors(Ip4Rewrite.NAME, "mtu exceeded"));
            assertEquals(1, h.errors(Ip4Rewrite.NAME, "fragmentation not supported"));
        }
    }

    @Test
    void gsoSuperPacketsAreLeftToTheSegmenter() {
        try (StageHarness h = harness()) {
            byte[] big = udp4(SENDER, addr(192, 168, 2, 5), 1, 2, 64, DF, 3000);
            int bi = h.packet(big, 0);
            h.memory().gsoSize(bi, 1400);
            h.run(Ip4Input.NAME, bi);
            assertEquals(List.of(bi), h.captured(TX));
        }
    }

    @Test
    void rewriteRefusesWhatLookupCouldNotHaveSent() {
        try (StageHarness h = new StageHarness(net.ip4Rewrite())) {
            PacketMemory mem = h.memory();
            int glean = h.packet(udp4(SENDER, addr(10, 1, 0, 7), 64), 0);
            mem.nextHop(glean, net.adjGlean);
            mem.txInterface(glean, 1);
            int gone = h.packet(udp4(SENDER, addr(192, 168, 1, 5), 64), 0);
            mem.nextHop(gone, 9999);
            int noInterface = h.packet(udp4(SENDER, addr(192, 168, 1, 5), 64), 0);
            mem.nextHop(noInterface, net.adjA);
            mem.txInterface(noInterface, 7);
            int noHeadroom = h.buffers().allocSmall();
            mem.dataOffset(noHeadroom, 4);
            mem.write(noHeadroom, udp4(SENDER, addr(192, 168, 1, 5), 64));
            mem.nextHop(noHeadroom, net.adjA);
            mem.txInterface(noHeadroom, 1);
            h.run(Ip4Rewrite.NAME, glean, gone, noInterface, noHeadroom);
            assertEquals(2, h.errors(Ip4Rewrite.NAME, "adjacency not complete"));
            assertEquals(1, h.errors(Ip4Rewrite.NAME, "tx interface unknown"));
            assertEquals(1, h.errors(Ip4Rewrite.NAME, "no headroom for l2 header"));
            assertEquals(0, h.captured(TX).size());
        }
    }

    @Test
    void lookupSeesNewlyPublishedTablesFromTheNextFrame() {
        try (StageHarness h = harness()) {
            byte[] p = udp4(SENDER, addr(8, 8, 8, 8), 64);
            h.run(Ip4Input.NAME, h.packet(p, 0));
            assertEquals(1, h.errors(Ip4Lookup.NAME, "no route"));
            net.fib4.add(0, 0, net.loadBalances.create(net.adjA));
            net.publish();
            int bi = h.packet(p, 0);
            h.run(Ip4Input.NAME, bi);
            assertEquals(List.of(bi), h.captured(TX));
            assertArrayEquals(expectedFrame(p, IpTestNetwork.MAC_A, IpTestNetwork.MAC_IF1), h.memory().read(bi));
        }
    }

    @Test
    void lookupAndRewriteWorkOnPacketsInjectedPastInput() {
        try (StageHarness h = new StageHarness(net.ip4Lookup(), net.ip4Rewrite())
                .connect(Ip4Lookup.NAME, "rewrite", Ip4Rewrite.NAME)) {
            byte[] p = udp4(SENDER, addr(192, 168, 1, 5), 9);
            int bi = h.packet(p, 0);
            h.run(Ip4Lookup.NAME, bi);
            assertArrayEquals(expectedFrame(p, IpTestNetwork.MAC_A, IpTestNetwork.MAC_IF1), h.memory().read(bi));
            assertFalse(h.memory().hasFlag(bi, PacketFlags.LOCAL));
            assertEquals(0x1234, get16(h.memory().read(bi), 14 + 4), "identification untouched");
        }
    }
}
