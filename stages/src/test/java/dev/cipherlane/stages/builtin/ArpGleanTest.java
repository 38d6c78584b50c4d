package dev.cipherlane.stages.builtin;

import static dev.cipherlane.stages.builtin.EthernetFrames.BROADCAST;
import static dev.cipherlane.stages.builtin.EthernetFrames.IF0;
import static dev.cipherlane.stages.builtin.EthernetFrames.IF0_MAC_BYTES;
import static dev.cipherlane.stages.builtin.EthernetFrames.IF1;
import static dev.cipherlane.stages.builtin.EthernetFrames.IF1_MAC_BYTES;
import static dev.cipherlane.stages.builtin.EthernetFrames.ZERO_MAC;
import static dev.cipherlane.stages.builtin.EthernetFrames.bytes;
import static dev.cipherlane.stages.builtin.EthernetFrames.ip4;
import static dev.cipherlane.stages.builtin.EthernetFrames.ip;
import static dev.cipherlane.stages.builtin.EthernetFrames.ipBytes;
import static dev.cipherlane.stages.builtin.EthernetFrames.macBytes;
import static dev.cipherlane.stages.builtin.EthernetFrames.macValue;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cipherlane.stages.fib.AdjacencyTable;
import dev.cipherlane.stages.fib.ForwardingTables;
import dev.cipherlane.stages.fib.Ip4Fib;
import dev.cipherlane.stages.fib.Ip6Fib;
import dev.cipherlane.stages.fib.LoadBalanceTable;
import dev.cipherlane.stages.neighbour.ArpRequester;
import dev.cipherlane.stages.neighbour.NeighbourTable;
import dev.cipherlane.stages.testing.StageHarness;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ArpGleanTest {
    private static final String GLEAN = ArpGlean.NAME;
    private static final String REQUEST = GLEAN + ".request";
    private static final String RESOLVED = GLEAN + ".resolved";
    private static final long S = 1_000_000_000L;
    private static final byte[] HOST_MAC = macBytes(0x52, 0x54, 0, 0xaa, 0xbb, 0x08);

    private final NeighbourTable neighbours = new NeighbourTable(NeighbourTable.Params.defaults());
    private final AdjacencyTable adjacencies = new AdjacencyTable();
    private final int glean0 = adjacencies.addGlean4(IF0);
    private final int glean1 = adjacencies.addGlean4(IF1);
    private final int gateway = adjacencies.addNeighbor4(IF0, ip(10, 0, 0, 254), IF0_MAC_BYTES);
    private final int complete = adjacencies.addRewrite4(IF0, ip(10, 0, 0, 253), IF0_MAC_BYTES, HOST_MAC);
    private final int glean6 = adjacencies.addGlean6(IF0);
    private final int gleanGone = adjacencies.addGlean4(5);
    private final ForwardingTables tables;

    ArpGleanTest() {
        LoadBalanceTable lbs = new LoadBalanceTable(adjacencies);
        tables = ForwardingTables.capture(new Ip4Fib(lbs), new Ip6Fib(lbs), lbs, adjacencies);
    }

    private StageHarness harness(NeighbourTable table) {
        return new StageHarness(new ArpGlean(new ArpGlean.Params(EthernetFrames.interfaces(), () -> tables,
                new ArpRequester(table, ArpRequester.INTERVAL_DEFAULT))));
    }

    private StageHarness harness() {
        return harness(neighbours);
    }

    private static int packet(StageHarness h, byte[] ip, int adjacency) {
        int bi = h.packet(ip, 7);
        h.memory().nextHop(bi, adjacency);
        return bi;
    }

    private static byte[] expectedRequest(byte[] srcMac, byte[] senderIp, byte[] targetIp) {
        return bytes(BROADCAST, srcMac, new byte[] {0x08, 0x06},
                new byte[] {0, 1, 0x08, 0x00, 6, 4, 0, 1},
                srcMac, senderIp, ZERO_MAC, targetIp);
    }

    @Test
    void requestsTheDestinationOfAGleanPacketOnceAndDropsThePackets() {
        byte[] ip = ip4(ipBytes(10, 9, 9, 9), ipBytes(10, 0, 0, 7), 100);
        try (StageHarness h = harness()) {
            h.run(GLEAN, packet(h, ip, glean0), packet(h, ip, glean0));
            h.run(GLEAN, packet(h, ip, glean0));

            assertEquals(1, h.captured(REQUEST).size());
            assertArrayEquals(expectedRequest(IF0_MAC_BYTES, ipBytes(10, 0, 0, 1), ipBytes(10, 0, 0, 7)),
                    h.capturedBytes(REQUEST).get(0));
            assertEquals(IF0, h.memory().txInterface(h.captured(REQUEST).get(0)));
            assertEquals(3, h.errors(GLEAN, "arp resolution pending"));
            assertEquals(1, h.errors(GLEAN, "arp requests sent"));
            assertEquals(2, h.errors(GLEAN, "arp requests rate limited"));
            assertEquals(0, h.captured(RESOLVED).size());
        }
        assertEquals(NeighbourTable.State.INCOMPLETE, neighbours.state4(IF0, ip(10, 0, 0, 7)));
    }

    @Test
    void eachNextHopHasItsOwnRequest() {
        try (StageHarness h = harness()) {
            h.run(GLEAN, packet(h, ip4(ipBytes(10, 9, 9, 9), ipBytes(10, 0, 0, 7), 0), glean0),
                    packet(h, ip4(ipBytes(10, 9, 9, 9), ipBytes(10, 0, 0, 8), 0), glean0),
                    packet(h, ip4(ipBytes(10, 9, 9, 9), ipBytes(10, 0, 0, 7), 0), glean1));

            assertEquals(3, h.captured(REQUEST).size());
            assertArrayEquals(expectedRequest(IF0_MAC_BYTES, ipBytes(10, 0, 0, 1), ipBytes(10, 0, 0, 8)),
                    h.capturedBytes(REQUEST).get(1));
            // IF1 is unnumbered: the request asks as an RFC 5227 probe would, sender 0.0.0.0.
            assertArrayEquals(expectedRequest(IF1_MAC_BYTES, ipBytes(0, 0, 0, 0), ipBytes(10, 0, 0, 7)),
                    h.capturedBytes(REQUEST).get(2));
            assertEquals(IF1, h.memory().txInterface(h.captured(REQUEST).get(2)));
        }
    }

    @Test
    void anIncompleteAdjacencyResolvesItsNextHopNotTheDestination() {
        try (StageHarness h = harness()) {
            h.run(GLEAN, packet(h, ip4(ipBytes(10, 9, 9, 9), ipBytes(8, 8, 8, 8), 0), gateway));

            assertArrayEquals(expectedRequest(IF0_MAC_BYTES, ipBytes(10, 0, 0, 1), ipBytes(10, 0, 0, 254)),
                    h.capturedBytes(REQUEST).get(0));
        }
    }

    @Test
    void aKnownNeighbourIsForwardedWithTtlDecrementedAndItsEthernetHeader() {
        neighbours.learn4(IF0, ip(10, 0, 0, 8), macValue(HOST_MAC), 0);
        neighbours.learn4(IF0, ip(10, 0, 0, 254), macValue(HOST_MAC), 0);
        byte[] toHost = ip4(ipBytes(10, 9, 9, 9), ipBytes(10, 0, 0, 8), 50);
        byte[] viaGateway = ip4(ipBytes(10, 9, 9, 9), ipBytes(8, 8, 8, 8), 50, 2, true);
        try (StageHarness h = harness()) {
            h.run(GLEAN, packet(h, toHost, glean0), packet(h, viaGateway, gateway));

            assertEquals(0, h.captured(REQUEST).size());
            assertEquals(2, h.captured(RESOLVED).size());
            byte[] header = bytes(HOST_MAC, IF0_MAC_BYTES, new byte[] {0x08, 0x00});
            assertArrayEquals(bytes(header, ip4(ipBytes(10, 9, 9, 9), ipBytes(10, 0, 0, 8), 50, 63, false)),
                    h.capturedBytes(RESOLVED).get(0));
            assertArrayEquals(bytes(header, ip4(ipBytes(10, 9, 9, 9), ipBytes(8, 8, 8, 8), 50, 1, true)),
                    h.capturedBytes(RESOLVED).get(1));
            assertEquals(IF0, h.memory().txInterface(h.captured(RESOLVED).get(0)));
        }
    }

    @Test
    void aKnownNeighbourGetsTheForwardingErrorsIp4RewriteWouldGive() {
        // IF1's MTU is 1400.
        neighbours.learn4(IF1, ip(10, 0, 0, 8), macValue(HOST_MAC), 0);
        byte[] src = ipBytes(10, 9, 9, 9);
        byte[] dst = ipBytes(10, 0, 0, 8);
        try (StageHarness h = harness()) {
            int lastHop = packet(h, ip4(src, dst, 10, 1, false), glean1);
            int tooBigDf = packet(h, ip4(src, dst, 1381, 64, true), glean1);
            int tooBig = packet(h, ip4(src, dst, 1381, 64, false), glean1);
            int fits = packet(h, ip4(src, dst, 1380, 64, true), glean1);
            h.run(GLEAN, lastHop, tooBigDf, tooBig, fits);

            assertEquals(1, h.errors(GLEAN, "ttl expired"));
            assertEquals(1, h.errors(GLEAN, "mtu exceeded"));
            assertEquals(1, h.errors(GLEAN, "fragmentation not supported"));
            assertEquals(List.of(lastHop, tooBigDf), h.captured(GLEAN + ".icmp-error"));
            int timeExceeded = h.memory().opaque(lastHop);
            assertEquals(IcmpErrorRequest.ICMP4_TIME_EXCEEDED, IcmpErrorRequest.type(timeExceeded));
            assertEquals(0, IcmpErrorRequest.code(timeExceeded));
            int fragNeeded = h.memory().opaque(tooBigDf);
            assertEquals(IcmpErrorRequest.ICMP4_UNREACHABLE, IcmpErrorRequest.type(fragNeeded));
            assertEquals(IcmpErrorRequest.ICMP4_FRAGMENTATION_NEEDED, IcmpErrorRequest.code(fragNeeded));
            assertEquals(1400, IcmpErrorRequest.parameter(fragNeeded));
            // The quoted packets are untouched: still starting at the IP header, TTL intact.
            assertArrayEquals(ip4(src, dst, 10, 1, false), h.memory().read(lastHop));
            assertEquals(List.of(fits), h.captured(RESOLVED));
        }
    }

    @Test
    void dropsWhatIsNotAGleanOrIncompleteIpv4Adjacency() {
        byte[] ip = ip4(ipBytes(10, 9, 9, 9), ipBytes(10, 0, 0, 7), 0);
        try (StageHarness h = harness()) {
            h.run(GLEAN, packet(h, ip, complete), packet(h, ip, AdjacencyTable.DROP),
                    packet(h, ip, 1000), packet(h, ip, -1));
            h.run(GLEAN, packet(h, ip, glean6));
            h.run(GLEAN, packet(h, ip, gleanGone));
            h.run(GLEAN, packet(h, Arrays.copyOf(ip, 19), glean0));

            assertEquals(4, h.errors(GLEAN, "not a glean or incomplete adjacency"));
            assertEquals(1, h.errors(GLEAN, "ip6 neighbour discovery not supported"));
            assertEquals(1, h.errors(GLEAN, "unknown interface"));
            assertEquals(1, h.errors(GLEAN, "truncated ip4 header"));
            assertEquals(0, h.captured(REQUEST).size());
        }
    }

    @Test
    void aRequestGoesOutEvenWhenLearnedNeighboursFillTheTable() {
        NeighbourTable tiny = new NeighbourTable(new NeighbourTable.Params(30 * S, 60 * S, 3 * S, 1));
        tiny.learn4(IF0, ip(10, 0, 0, 2), macValue(HOST_MAC), System.nanoTime());
        try (StageHarness h = harness(tiny)) {
            h.run(GLEAN, packet(h, ip4(ipBytes(10, 9, 9, 9), ipBytes(10, 0, 0, 7), 0), glean0));

            assertEquals(1, h.captured(REQUEST).size());
            assertEquals(1, h.errors(GLEAN, "arp resolution pending"));
            assertEquals(1, tiny.evictions(), "the learned neighbour made room for the request");
            assertEquals(NeighbourTable.State.INCOMPLETE, tiny.state4(IF0, ip(10, 0, 0, 7)));
        }
    }

    @Test
    void requestsLeaveThroughEthernetOutput() {
        var interfaces = EthernetFrames.interfaces();
        try (StageHarness h = new StageHarness(
                new ArpGlean(new ArpGlean.Params(interfaces, () -> tables,
                        new ArpRequester(neighbours, ArpRequester.INTERVAL_DEFAULT))),
                new EthernetOutput(new EthernetOutput.Params(interfaces))).connect(GLEAN, "request", EthernetOutput.NAME)) {
            h.run(GLEAN, packet(h, ip4(ipBytes(10, 9, 9, 9), ipBytes(10, 0, 0, 7), 0), glean0));

            assertEquals(1, h.captured(EthernetOutput.NAME + ".tx").size());
            assertEquals(42, h.memory().length(h.captured(EthernetOutput.NAME + ".tx").get(0)));
        }
    }
}
