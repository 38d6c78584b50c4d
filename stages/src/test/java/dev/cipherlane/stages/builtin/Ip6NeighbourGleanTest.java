package dev.cipherlane.stages.builtin;

import static dev.cipherlane.stages.builtin.EthernetFrames.bytes;
import static dev.cipherlane.stages.builtin.NeighbourDiscoveryTestPackets.HOST_MAC;
import static dev.cipherlane.stages.builtin.NeighbourDiscoveryTestPackets.IF0;
import static dev.cipherlane.stages.builtin.NeighbourDiscoveryTestPackets.IF0_MAC;
import static dev.cipherlane.stages.builtin.NeighbourDiscoveryTestPackets.IF1;
import static dev.cipherlane.stages.builtin.NeighbourDiscoveryTestPackets.IF1_MAC;
import static dev.cipherlane.stages.builtin.NeighbourDiscoveryTestPackets.IF2;
import static dev.cipherlane.stages.builtin.NeighbourDiscoveryTestPackets.IF2_MAC;
import static dev.cipherlane.stages.builtin.NeighbourDiscoveryTestPackets.NS;
import static dev.cipherlane.stages.builtin.NeighbourDiscoveryTestPackets.O;
import static dev.cipherlane.stages.builtin.NeighbourDiscoveryTestPackets.OUR_GLOBAL;
import static dev.cipherlane.stages.builtin.NeighbourDiscoveryTestPackets.OUR_LINK_LOCAL;
import static dev.cipherlane.stages.builtin.NeighbourDiscoveryTestPackets.S;
import static dev.cipherlane.stages.builtin.NeighbourDiscoveryTestPackets.UNSPECIFIED;
import static dev.cipherlane.stages.builtin.NeighbourDiscoveryTestPackets.addr;
import static dev.cipherlane.stages.builtin.NeighbourDiscoveryTestPackets.ethernet;
import static dev.cipherlane.stages.builtin.NeighbourDiscoveryTestPackets.hi;
import static dev.cipherlane.stages.builtin.NeighbourDiscoveryTestPackets.icmp6;
import static dev.cipherlane.stages.builtin.NeighbourDiscoveryTestPackets.ip6Header;
import static dev.cipherlane.stages.builtin.NeighbourDiscoveryTestPackets.lo;
import static dev.cipherlane.stages.builtin.NeighbourDiscoveryTestPackets.mac;
import static dev.cipherlane.stages.builtin.NeighbourDiscoveryTestPackets.message;
import static dev.cipherlane.stages.builtin.NeighbourDiscoveryTestPackets.multicastMac;
import static dev.cipherlane.stages.builtin.NeighbourDiscoveryTestPackets.na;
import static dev.cipherlane.stages.builtin.NeighbourDiscoveryTestPackets.option;
import static dev.cipherlane.stages.builtin.NeighbourDiscoveryTestPackets.solicitedNode;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cipherlane.stages.fib.AdjacencyTable;
import dev.cipherlane.stages.fib.ForwardingTables;
import dev.cipherlane.stages.fib.Ip4Fib;
import dev.cipherlane.stages.fib.Ip6Fib;
import dev.cipherlane.stages.fib.LoadBalanceTable;
import dev.cipherlane.stages.neighbour.Ip6NeighbourRequester;
import dev.cipherlane.stages.neighbour.NeighbourTable;
import dev.cipherlane.stages.net.InterfaceTable;
import dev.cipherlane.stages.testing.StageHarness;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code ip6-nd-glean}: solicit unknown neighbours, forward to known ones. */
class Ip6NeighbourGleanTest {
    private static final String GLEAN = Ip6NeighbourGlean.NAME;
    private static final String REQUEST = GLEAN + ".request";
    private static final String RESOLVED = GLEAN + ".resolved";
    private static final String ICMP_ERROR = GLEAN + ".icmp-error";
    private static final long SECOND = 1_000_000_000L;
    private static final byte[] REMOTE = addr("2001:db8:77::5");
    private static final byte[] ROUTER_LINK_LOCAL = addr("fe80::2");

    private final InterfaceTable interfaces = NeighbourDiscoveryTestPackets.interfaces();
    private final NeighbourTable neighbours = new NeighbourTable(NeighbourTable.Params.defaults());
    private final AdjacencyTable adjacencies = new AdjacencyTable();
    private final int glean0 = adjacencies.addGlean6(IF0);
    private final int glean1 = adjacencies.addGlean6(IF1);
    private final int glean2 = adjacencies.addGlean6(IF2);
    private final int router = adjacencies.addNeighbor6(IF0, hi(ROUTER_LINK_LOCAL), lo(ROUTER_LINK_LOCAL), IF0_MAC);
    private final int offLink = adjacencies.addNeighbor6(IF0, hi(addr("2001:db8:9::1")), lo(addr("2001:db8:9::1")),
            IF0_MAC);
    private final int complete = adjacencies.addRewrite6(IF0, hi(ROUTER_LINK_LOCAL), lo(ROUTER_LINK_LOCAL), IF0_MAC,
            HOST_MAC);
    private final int glean4 = adjacencies.addGlean4(IF0);
    private final int gleanGone = adjacencies.addGlean6(7);
    private final ForwardingTables tables;

    Ip6NeighbourGleanTest() {
        LoadBalanceTable lbs = new LoadBalanceTable(adjacencies);
        tables = ForwardingTables.capture(new Ip4Fib(lbs), new Ip6Fib(lbs), lbs, adjacencies);
    }

    private Ip6NeighbourGlean glean(NeighbourTable table, long interval) {
        return new Ip6NeighbourGlean(new Ip6NeighbourGlean.Params(interfaces, () -> tables,
                new Ip6NeighbourRequester(table, interval)));
    }

    private StageHarness harness() {
        return new StageHarness(glean(neighbours, Ip6NeighbourRequester.INTERVAL_DEFAULT));
    }

    /** A UDP packet from a remote host: 40-byte header and 16 payload bytes, hop limit {@code hopLimit}. */
    private static byte[] udp(byte[] dst, int hopLimit, int payload) {
        byte[] body = new byte[payload];
        for (int i = 0; i < payload; i++) {
            body[i] = (byte) (i + 3);
        }
        return bytes(ip6Header(REMOTE, dst, payload, 17, hopLimit), body);
    }

    private static int packet(StageHarness h, byte[] ip6, int adjacency) {
        int bi = h.packet(ip6, 5);
        h.memory().nextHop(bi, adjacency);
        return bi;
    }

    /** The solicitation we expect, byte for byte: to the target's solicited-node group, from {@code src}. */
    private static byte[] expectedSolicitation(byte[] ourMac, byte[] src, byte[] target) {
        byte[] group = solicitedNode(target);
        byte[] icmp = Arrays.equals(src, UNSPECIFIED)
                ? message(NS, 0, 0, target)
                : message(NS, 0, 0, target, option(1, ourMac));
        return ethernet(multicastMac(group), ourMac, icmp6(src, group, 255, icmp));
    }

    @Test
    void solicitsTheDestinationOfAGleanPacketOnceAndDropsThePackets() {
        byte[] target = addr("2001:db8:1::7");
        try (StageHarness h = harness()) {
            h.run(GLEAN, packet(h, udp(target, 64, 16), glean0), packet(h, udp(target, 64, 16), glean0));
            h.run(GLEAN, packet(h, udp(target, 64, 16), glean0));

            assertEquals(1, h.captured(REQUEST).size());
            byte[] ns = h.capturedBytes(REQUEST).get(0);
            assertArrayEquals(expectedSolicitation(IF0_MAC, OUR_GLOBAL, target), ns);
            assertArrayEquals(new byte[] {0x33, 0x33, (byte) 0xff, 0, 0, 7}, Arrays.copyOfRange(ns, 0, 6));
            assertArrayEquals(addr("ff02::1:ff00:7"), Arrays.copyOfRange(ns, 38, 54));
            assertEquals(IF0, h.memory().txInterface(h.captured(REQUEST).get(0)));
            assertEquals(3, h.errors(GLEAN, "ip6 neighbour resolution pending"));
            assertEquals(1, h.errors(GLEAN, "neighbour solicitations sent"));
            assertEquals(2, h.errors(GLEAN, "neighbour solicitations rate limited"));
            assertEquals(0, h.captured(RESOLVED).size());
        }
        assertEquals(NeighbourTable.State.INCOMPLETE, neighbours.state6(IF0, hi(target), lo(target)));
    }

    @Test
    void choosesTheSourceByTheTargetAndSolicitsEachNeighbourSeparately() {
        byte[] podHost = addr("2001:db8:44::9");
        try (StageHarness h = harness()) {
            h.run(GLEAN, packet(h, udp(addr("2001:db8:1::8"), 64, 0), router),
                    packet(h, udp(addr("2001:db8:1::8"), 64, 0), offLink),
                    packet(h, udp(podHost, 64, 0), glean1),
                    packet(h, udp(podHost, 64, 0), glean2));

            List<byte[]> sent = h.capturedBytes(REQUEST);
            assertEquals(4, sent.size());
            // An incomplete adjacency resolves its next hop, not the destination; link-local from link-local.
            assertArrayEquals(expectedSolicitation(IF0_MAC, OUR_LINK_LOCAL, ROUTER_LINK_LOCAL), sent.get(0));
            // A next hop on none of the interface's prefixes is asked from the link-local address.
            assertArrayEquals(expectedSolicitation(IF0_MAC, OUR_LINK_LOCAL, addr("2001:db8:9::1")), sent.get(1));
            assertArrayEquals(expectedSolicitation(IF1_MAC, OUR_LINK_LOCAL, podHost), sent.get(2));
            // An interface without addresses asks from :: and without a source address option.
            assertArrayEquals(expectedSolicitation(IF2_MAC, UNSPECIFIED, podHost), sent.get(3));
            assertEquals(78, sent.get(3).length);
            assertEquals(IF2, h.memory().txInterface(h.captured(REQUEST).get(3)));
        }
    }

    @Test
    void aKnownNeighbourIsForwardedWithHopLimitDecrementedAndItsEthernetHeader() {
        byte[] host = addr("2001:db8:1::8");
        long t = System.nanoTime();
        neighbours.learn6(IF0, hi(host), lo(host), mac(HOST_MAC), t);
        neighbours.learn6(IF0, hi(ROUTER_LINK_LOCAL), lo(ROUTER_LINK_LOCAL), mac(HOST_MAC), t);
        try (StageHarness h = harness()) {
            h.run(GLEAN, packet(h, udp(host, 64, 16), glean0), packet(h, udp(addr("2001:db8:5::1"), 2, 16), router));

            assertEquals(0, h.captured(REQUEST).size());
            List<byte[]> out = h.capturedBytes(RESOLVED);
            assertEquals(2, out.size());
            byte[] header = bytes(HOST_MAC, IF0_MAC, new byte[] {(byte) 0x86, (byte) 0xDD});
            assertArrayEquals(bytes(header, udp(host, 63, 16)), out.get(0));
            assertArrayEquals(bytes(header, udp(addr("2001:db8:5::1"), 1, 16)), out.get(1));
            assertEquals(IF0, h.memory().txInterface(h.captured(RESOLVED).get(0)));
        }
    }

    @Test
    void aKnownNeighbourGetsTheErrorsIp6RewriteWouldGive() {
        // IF1's MTU is 1400.
        byte[] pod = addr("2001:db8:44::9");
        neighbours.learn6(IF1, hi(pod), lo(pod), mac(HOST_MAC), System.nanoTime());
        try (StageHarness h = harness()) {
            int lastHop = packet(h, udp(pod, 1, 10), glean1);
            int tooBig = packet(h, udp(pod, 64, 1361), glean1);
            int fits = packet(h, udp(pod, 64, 1360), glean1);
            h.run(GLEAN, lastHop, tooBig, fits);

            assertEquals(1, h.errors(GLEAN, "ttl expired"));
            assertEquals(1, h.errors(GLEAN, "mtu exceeded"));
            assertEquals(List.of(lastHop, tooBig), h.captured(ICMP_ERROR));
            int timeExceeded = h.memory().opaque(lastHop);
            assertEquals(IcmpErrorRequest.ICMP6_TIME_EXCEEDED, IcmpErrorRequest.type(timeExceeded));
            assertEquals(0, IcmpErrorRequest.code(timeExceeded));
            int packetTooBig = h.memory().opaque(tooBig);
            assertEquals(IcmpErrorRequest.ICMP6_PACKET_TOO_BIG, IcmpErrorRequest.type(packetTooBig));
            assertEquals(1400, IcmpErrorRequest.parameter(packetTooBig));
            // The quoted packets are untouched, still starting at the IPv6 header.
            assertArrayEquals(udp(pod, 1, 10), h.memory().read(lastHop));
            assertEquals(List.of(fits), h.captured(RESOLVED));
        }
    }

    @Test
    void dropsWhatIsNotAGleanOrIncompleteIpv6AdjacencyOrCannotBeForwarded() {
        byte[] target = addr("2001:db8:1::7");
        byte[] ip = udp(target, 64, 0);
        try (StageHarness h = harness()) {
            h.run(GLEAN, packet(h, ip, complete), packet(h, ip, AdjacencyTable.DROP), packet(h, ip, 1000),
                    packet(h, ip, -1));
            h.run(GLEAN, packet(h, ip, glean4));
            h.run(GLEAN, packet(h, ip, gleanGone));
            h.run(GLEAN, packet(h, Arrays.copyOf(ip, 39), glean0));
            h.run(GLEAN, packet(h, bytes(ip6Header(UNSPECIFIED, target, 0, 17, 64)), glean0));
            h.run(GLEAN, packet(h, bytes(ip6Header(addr("fe80::9"), target, 0, 17, 64)), glean0),
                    packet(h, bytes(ip6Header(REMOTE, addr("fe80::9"), 0, 17, 64)), glean0));
            h.run(GLEAN, packet(h, bytes(ip6Header(REMOTE, addr("ff0e::1"), 0, 17, 64)), glean0));

            assertEquals(4, h.errors(GLEAN, "not a glean or incomplete adjacency"));
            assertEquals(1, h.errors(GLEAN, "not an ip6 adjacency"));
            assertEquals(1, h.errors(GLEAN, "unknown interface"));
            assertEquals(1, h.errors(GLEAN, "truncated ip6 header"));
            assertEquals(1, h.errors(GLEAN, "ip6 unspecified source not forwarded"));
            assertEquals(2, h.errors(GLEAN, "ip6 link-local not forwarded"));
            assertEquals(1, h.errors(GLEAN, "ip6 multicast destination has no neighbour"));
            assertEquals(0, h.captured(REQUEST).size());
        }
        assertEquals(0, neighbours.size(), "no resolution started for any of them");
    }

    @Test
    void aSolicitationGoesOutEvenWhenLearnedNeighboursFillTheTable() {
        NeighbourTable tiny = new NeighbourTable(new NeighbourTable.Params(30 * SECOND, 60 * SECOND, 3 * SECOND, 1));
        tiny.learn6(IF0, hi(addr("2001:db8:1::2")), lo(addr("2001:db8:1::2")), mac(HOST_MAC), System.nanoTime());
        try (StageHarness h = new StageHarness(glean(tiny, Ip6NeighbourRequester.INTERVAL_DEFAULT))) {
            h.run(GLEAN, packet(h, udp(addr("2001:db8:1::7"), 64, 0), glean0));

            assertEquals(1, h.captured(REQUEST).size());
            assertEquals(1, h.errors(GLEAN, "ip6 neighbour resolution pending"));
            assertEquals(1, tiny.evictions(), "the learned neighbour made room for the solicitation");
        }
    }

    @Test
    void theAnswerToOurSolicitationLetsTheNextPacketThrough() {
        // glean solicits, the neighbour's advertisement reaches ip6-nd-input, the next packet
        // to it is forwarded: the whole resolution inside one graph.
        byte[] target = addr("2001:db8:1::7");
        try (StageHarness h = new StageHarness(glean(neighbours, Ip6NeighbourRequester.INTERVAL_DEFAULT),
                new Ip6NeighbourInput(new Ip6NeighbourInput.Params(interfaces, neighbours)),
                new EthernetOutput(new EthernetOutput.Params(interfaces)))
                .connect(GLEAN, "request", EthernetOutput.NAME)) {
            h.run(GLEAN, packet(h, udp(target, 64, 16), glean0));
            assertEquals(1, h.captured(EthernetOutput.NAME + ".tx").size());
            assertEquals(86, h.capturedBytes(EthernetOutput.NAME + ".tx").get(0).length);

            h.run(Ip6NeighbourInput.NAME, h.packet(na(target, OUR_GLOBAL, S | O, target, HOST_MAC), IF0));
            assertEquals(1, h.errors(Ip6NeighbourInput.NAME, "neighbour advertisement learned"));

            h.run(GLEAN, packet(h, udp(target, 64, 16), glean0));
            assertEquals(1, h.captured(RESOLVED).size());
            assertArrayEquals(bytes(HOST_MAC, IF0_MAC, new byte[] {(byte) 0x86, (byte) 0xDD}, udp(target, 63, 16)),
                    h.capturedBytes(RESOLVED).get(0));
            assertEquals(1, h.errors(GLEAN, "neighbour solicitations sent"));
        }
    }

    @Test
    void tracesNameTheNeighbourBeingResolved() {
        Ip6NeighbourGlean stage = glean(neighbours, Ip6NeighbourRequester.INTERVAL_DEFAULT);
        try (StageHarness h = new StageHarness(stage)) {
            int toHost = packet(h, udp(addr("2001:db8:1::7"), 64, 0), glean0);
            int viaRouter = packet(h, udp(addr("2001:db8:1::7"), 64, 0), router);
            assertEquals("adjacency " + glean0 + " GLEAN via if0, resolving 2001:db8:1::7",
                    stage.formatTrace(h.memory(), toHost));
            assertEquals("adjacency " + router + " INCOMPLETE via if0, resolving fe80::2",
                    stage.formatTrace(h.memory(), viaRouter));
            h.buffers().free(toHost);
            h.buffers().free(viaRouter);
        }
    }
}
