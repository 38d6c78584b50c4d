package dev.cipherlane.stages.builtin;

import static dev.cipherlane.stages.builtin.EthernetFrames.bytes;
import static dev.cipherlane.stages.builtin.NeighbourDiscoveryTestPackets.ALL_NODES;
import static dev.cipherlane.stages.builtin.NeighbourDiscoveryTestPackets.HOST_GLOBAL;
import static dev.cipherlane.stages.builtin.NeighbourDiscoveryTestPackets.HOST_LINK_LOCAL;
import static dev.cipherlane.stages.builtin.NeighbourDiscoveryTestPackets.HOST_MAC;
import static dev.cipherlane.stages.builtin.NeighbourDiscoveryTestPackets.IF0;
import static dev.cipherlane.stages.builtin.NeighbourDiscoveryTestPackets.IF0_MAC;
import static dev.cipherlane.stages.builtin.NeighbourDiscoveryTestPackets.IF1;
import static dev.cipherlane.stages.builtin.NeighbourDiscoveryTestPackets.IF1_MAC;
import static dev.cipherlane.stages.builtin.NeighbourDiscoveryTestPackets.NA;
import static dev.cipherlane.stages.builtin.NeighbourDiscoveryTestPackets.NS;
import static dev.cipherlane.stages.builtin.NeighbourDiscoveryTestPackets.O;
import static dev.cipherlane.stages.builtin.NeighbourDiscoveryTestPackets.OUR_GLOBAL;
import static dev.cipherlane.stages.builtin.NeighbourDiscoveryTestPackets.OUR_LINK_LOCAL;
import static dev.cipherlane.stages.builtin.NeighbourDiscoveryTestPackets.R;
import static dev.cipherlane.stages.builtin.NeighbourDiscoveryTestPackets.S;
import static dev.cipherlane.stages.builtin.NeighbourDiscoveryTestPackets.UNSPECIFIED;
import static dev.cipherlane.stages.builtin.NeighbourDiscoveryTestPackets.addr;
import static dev.cipherlane.stages.builtin.NeighbourDiscoveryTestPackets.checksum;
import static dev.cipherlane.stages.builtin.NeighbourDiscoveryTestPackets.ethernet;
import static dev.cipherlane.stages.builtin.NeighbourDiscoveryTestPackets.expectedAdvertisement;
import static dev.cipherlane.stages.builtin.NeighbourDiscoveryTestPackets.hi;
import static dev.cipherlane.stages.builtin.NeighbourDiscoveryTestPackets.icmp6;
import static dev.cipherlane.stages.builtin.NeighbourDiscoveryTestPackets.ip6Header;
import static dev.cipherlane.stages.builtin.NeighbourDiscoveryTestPackets.lo;
import static dev.cipherlane.stages.builtin.NeighbourDiscoveryTestPackets.mac;
import static dev.cipherlane.stages.builtin.NeighbourDiscoveryTestPackets.message;
import static dev.cipherlane.stages.builtin.NeighbourDiscoveryTestPackets.multicastMac;
import static dev.cipherlane.stages.builtin.NeighbourDiscoveryTestPackets.na;
import static dev.cipherlane.stages.builtin.NeighbourDiscoveryTestPackets.ns;
import static dev.cipherlane.stages.builtin.NeighbourDiscoveryTestPackets.option;
import static dev.cipherlane.stages.builtin.NeighbourDiscoveryTestPackets.solicitedNode;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cipherlane.stages.buffer.PacketFlags;
import dev.cipherlane.stages.fib.AdjacencyKind;
import dev.cipherlane.stages.fib.AdjacencyTable;
import dev.cipherlane.stages.fib.ForwardingTables;
import dev.cipherlane.stages.fib.Ip4Fib;
import dev.cipherlane.stages.fib.Ip6Fib;
import dev.cipherlane.stages.fib.LoadBalanceTable;
import dev.cipherlane.stages.neighbour.AdjacencyResolver;
import dev.cipherlane.stages.neighbour.NeighbourTable;
import dev.cipherlane.stages.net.InterfaceTable;
import dev.cipherlane.stages.testing.StageHarness;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Neighbor Solicitations answered and Advertisements learned by {@code ip6-nd-input}. */
class Ip6NeighbourInputTest {
    private static final String ND = Ip6NeighbourInput.NAME;
    private static final String REPLY = ND + ".reply";
    private static final String PUNT = ND + ".punt";
    private static final byte[] OTHER_MAC = {0x52, 0x54, 0, (byte) 0xaa, (byte) 0xbb, 0x09};
    private static final long SECOND = 1_000_000_000L;

    private final InterfaceTable interfaces = NeighbourDiscoveryTestPackets.interfaces();
    private final NeighbourTable neighbours = new NeighbourTable(NeighbourTable.Params.defaults());

    private StageHarness harness() {
        return new StageHarness(new Ip6NeighbourInput(new Ip6NeighbourInput.Params(interfaces, neighbours)));
    }

    private NeighbourTable.State state(int itf, byte[] a) {
        return neighbours.state6(itf, hi(a), lo(a));
    }

    private long lookup(int itf, byte[] a) {
        return neighbours.lookup6(itf, hi(a), lo(a));
    }

    @Test
    void answersASolicitationForOurAddressWithACompleteAdvertisement() {
        byte[] solicitation = ns(HOST_GLOBAL, solicitedNode(OUR_GLOBAL), OUR_GLOBAL, HOST_MAC);
        try (StageHarness h = harness()) {
            h.run(ND, h.packet(solicitation, IF0));

            assertEquals(1, h.captured(REPLY).size());
            byte[] reply = h.capturedBytes(REPLY).get(0);
            assertArrayEquals(expectedAdvertisement(HOST_MAC, IF0_MAC, OUR_GLOBAL, HOST_GLOBAL, R | S | O), reply);
            // The same frame read field by field, so a wrong expectation above cannot hide a fault.
            assertEquals(86, reply.length);
            assertArrayEquals(HOST_MAC, Arrays.copyOfRange(reply, 0, 6));
            assertArrayEquals(IF0_MAC, Arrays.copyOfRange(reply, 6, 12));
            assertEquals(0x86, reply[12] & 0xFF);
            assertEquals(0xDD, reply[13] & 0xFF);
            assertEquals(0x60, reply[14] & 0xFF);
            assertEquals(32, (reply[18] & 0xFF) << 8 | (reply[19] & 0xFF), "payload length");
            assertEquals(58, reply[20] & 0xFF, "next header");
            assertEquals(255, reply[21] & 0xFF, "hop limit");
            assertArrayEquals(OUR_GLOBAL, Arrays.copyOfRange(reply, 22, 38), "source is the target");
            assertArrayEquals(HOST_GLOBAL, Arrays.copyOfRange(reply, 38, 54), "destination is the solicitor");
            assertEquals(NA, reply[54] & 0xFF);
            assertEquals(0, reply[55]);
            byte[] icmp = Arrays.copyOfRange(reply, 54, 86);
            assertEquals(checksum(OUR_GLOBAL, HOST_GLOBAL, icmp), (reply[56] & 0xFF) << 8 | (reply[57] & 0xFF));
            assertEquals(0xE0, reply[58] & 0xFF, "router, solicited, override");
            assertArrayEquals(new byte[3], Arrays.copyOfRange(reply, 59, 62));
            assertArrayEquals(OUR_GLOBAL, Arrays.copyOfRange(reply, 62, 78), "target");
            assertArrayEquals(bytes(new byte[] {2, 1}, IF0_MAC), Arrays.copyOfRange(reply, 78, 86), "target lla option");

            int bi = h.captured(REPLY).get(0);
            assertEquals(IF0, h.memory().txInterface(bi));
            assertEquals(h.memory().dataOffset(bi) + 14, h.memory().l3Offset(bi));
            assertTrue(h.memory().hasFlag(bi, PacketFlags.IP6));
            assertEquals(1, h.errors(ND, "neighbour advertisements sent"));
        }
        // The solicitor is learned from its Source Link-Layer Address option (RFC 4861 section 7.2.3).
        assertEquals(mac(HOST_MAC), lookup(IF0, HOST_GLOBAL));
        assertEquals(NeighbourTable.State.REACHABLE, state(IF0, HOST_GLOBAL));
    }

    @Test
    void answersForLinkLocalAddressesOnEachInterfaceThatHasThem() {
        try (StageHarness h = harness()) {
            h.run(ND, h.packet(ns(HOST_LINK_LOCAL, solicitedNode(OUR_LINK_LOCAL), OUR_LINK_LOCAL, HOST_MAC), IF0),
                    h.packet(ns(HOST_LINK_LOCAL, solicitedNode(OUR_LINK_LOCAL), OUR_LINK_LOCAL, HOST_MAC), IF1));

            assertEquals(2, h.captured(REPLY).size());
            assertArrayEquals(expectedAdvertisement(HOST_MAC, IF0_MAC, OUR_LINK_LOCAL, HOST_LINK_LOCAL, R | S | O),
                    h.capturedBytes(REPLY).get(0));
            assertArrayEquals(expectedAdvertisement(HOST_MAC, IF1_MAC, OUR_LINK_LOCAL, HOST_LINK_LOCAL, R | S | O),
                    h.capturedBytes(REPLY).get(1));
            assertEquals(IF1, h.memory().txInterface(h.captured(REPLY).get(1)));
        }
        assertEquals(mac(HOST_MAC), lookup(IF0, HOST_LINK_LOCAL));
        assertEquals(mac(HOST_MAC), lookup(IF1, HOST_LINK_LOCAL));
    }

    @Test
    void answersDuplicateAddressDetectionToAllNodesWithoutTheSolicitedFlag() {
        byte[] probe = ns(UNSPECIFIED, solicitedNode(OUR_GLOBAL), OUR_GLOBAL, null);
        try (StageHarness h = harness()) {
            h.run(ND, h.packet(probe, IF0));

            assertEquals(1, h.captured(REPLY).size());
            byte[] reply = h.capturedBytes(REPLY).get(0);
            assertArrayEquals(expectedAdvertisement(multicastMac(ALL_NODES), IF0_MAC, OUR_GLOBAL, ALL_NODES, R | O),
                    reply);
            assertArrayEquals(new byte[] {0x33, 0x33, 0, 0, 0, 1}, Arrays.copyOfRange(reply, 0, 6));
            assertArrayEquals(ALL_NODES, Arrays.copyOfRange(reply, 38, 54));
        }
        assertEquals(0, neighbours.size(), "nothing to learn from the unspecified address");
    }

    @Test
    void aRouterFlagIsSetOnlyWhenConfigured() {
        try (StageHarness h = new StageHarness(
                new Ip6NeighbourInput(new Ip6NeighbourInput.Params(interfaces, neighbours, false)))) {
            h.run(ND, h.packet(ns(HOST_GLOBAL, solicitedNode(OUR_GLOBAL), OUR_GLOBAL, HOST_MAC), IF0));

            assertArrayEquals(expectedAdvertisement(HOST_MAC, IF0_MAC, OUR_GLOBAL, HOST_GLOBAL, S | O),
                    h.capturedBytes(REPLY).get(0));
        }
    }

    @Test
    void aUnicastProbeWithoutSourceAddressOptionIsAnsweredToTheKnownNeighbour() {
        neighbours.learn6(IF0, hi(HOST_GLOBAL), lo(HOST_GLOBAL), mac(HOST_MAC), System.nanoTime());
        byte[] stranger = addr("2001:db8:1::77");
        try (StageHarness h = harness()) {
            h.run(ND, h.packet(ns(HOST_GLOBAL, OUR_GLOBAL, OUR_GLOBAL, null), IF0),
                    h.packet(ns(stranger, OUR_GLOBAL, OUR_GLOBAL, null), IF0));

            assertEquals(1, h.captured(REPLY).size());
            assertArrayEquals(expectedAdvertisement(HOST_MAC, IF0_MAC, OUR_GLOBAL, HOST_GLOBAL, R | S | O),
                    h.capturedBytes(REPLY).get(0));
            assertEquals(1, h.errors(ND, "neighbour solicitation source mac unknown"));
        }
        assertNull(state(IF0, stranger));
    }

    @Test
    void stepsOverExtensionHeadersAndCutsLinkPadding() {
        // A Destination Options header of 8 bytes (PadN) before the solicitation, and padding.
        byte[] body = message(NS, 0, 0, OUR_GLOBAL, option(1, HOST_MAC));
        int c = checksum(HOST_GLOBAL, solicitedNode(OUR_GLOBAL), body);
        body[2] = (byte) (c >>> 8);
        body[3] = (byte) c;
        byte[] options = {58, 0, 1, 4, 0, 0, 0, 0};
        byte[] packet = bytes(ip6Header(HOST_GLOBAL, solicitedNode(OUR_GLOBAL), 8 + body.length, 60, 255),
                options, body, new byte[10]);
        try (StageHarness h = harness()) {
            h.run(ND, h.packet(packet, IF0));

            assertArrayEquals(expectedAdvertisement(HOST_MAC, IF0_MAC, OUR_GLOBAL, HOST_GLOBAL, R | S | O),
                    h.capturedBytes(REPLY).get(0));
        }
    }

    @Test
    void aSolicitationForAnAddressNotOursIsCountedAndIgnored() {
        try (StageHarness h = harness()) {
            byte[] other = addr("2001:db8:1::9");
            h.run(ND, h.packet(ns(HOST_GLOBAL, solicitedNode(other), other, HOST_MAC), IF0),
                    // Our address, but owned by another interface than the one it came in on.
                    h.packet(ns(HOST_GLOBAL, solicitedNode(OUR_GLOBAL), OUR_GLOBAL, HOST_MAC), IF1));

            assertEquals(0, h.captured(REPLY).size());
            assertEquals(2, h.errors(ND, "neighbour solicitation not for us"));
        }
        assertEquals(0, neighbours.size(), "RFC 4861 section 7.2.3: discarded before learning");
    }

    @Test
    void malformedMessagesAreDroppedByName() {
        byte[] dst = solicitedNode(OUR_GLOBAL);
        byte[] good = ns(HOST_GLOBAL, dst, OUR_GLOBAL, HOST_MAC);
        byte[] hopLimit = good.clone();
        hopLimit[7] = (byte) 254;
        byte[] badChecksum = good.clone();
        badChecksum[43] ^= 1;
        byte[] shortBody = Arrays.copyOf(message(NS, 0, 0, OUR_GLOBAL), 20);
        byte[] zeroOption = message(NS, 0, 0, OUR_GLOBAL, option(1, HOST_MAC));
        zeroOption[25] = 0;
        byte[] longOption = message(NS, 0, 0, OUR_GLOBAL, option(1, HOST_MAC));
        longOption[25] = 2;
        byte[] twoUnitOption = message(NS, 0, 0, OUR_GLOBAL, bytes(option(1, HOST_MAC), new byte[8]));
        twoUnitOption[25] = 2;
        byte[] fragment = {58, 0, 0, 0, 0, 0, 0, 1};
        byte[] fragmentBody = message(NS, 0, 0, OUR_GLOBAL);
        int c = checksum(HOST_GLOBAL, dst, fragmentBody);
        fragmentBody[2] = (byte) (c >>> 8);
        fragmentBody[3] = (byte) c;
        byte[] fragmented = bytes(ip6Header(HOST_GLOBAL, dst, 8 + fragmentBody.length, 44, 255), fragment,
                fragmentBody);
        try (StageHarness h = harness()) {
            h.run(ND,
                    h.packet(hopLimit, IF0),
                    h.packet(badChecksum, IF0),
                    h.packet(icmp6(HOST_GLOBAL, dst, 255, shortBody), IF0),
                    h.packet(icmp6(HOST_GLOBAL, dst, 255, message(NS, 1, 0, OUR_GLOBAL, option(1, HOST_MAC))), IF0),
                    h.packet(icmp6(HOST_GLOBAL, dst, 255, zeroOption), IF0),
                    h.packet(icmp6(HOST_GLOBAL, dst, 255, longOption), IF0),
                    h.packet(icmp6(HOST_GLOBAL, dst, 255, twoUnitOption), IF0),
                    h.packet(ns(HOST_GLOBAL, addr("ff02::1:ff00:1"), addr("ff02::1"), HOST_MAC), IF0),
                    h.packet(ns(UNSPECIFIED, dst, OUR_GLOBAL, HOST_MAC), IF0),
                    h.packet(ns(UNSPECIFIED, OUR_GLOBAL, OUR_GLOBAL, null), IF0),
                    h.packet(ns(HOST_GLOBAL, dst, OUR_GLOBAL, new byte[] {0x33, 0x33, 0, 0, 0, 1}), IF0),
                    h.packet(ns(HOST_GLOBAL, dst, OUR_GLOBAL, new byte[6]), IF0),
                    h.packet(ns(addr("2001:db8:1::1"), dst, OUR_GLOBAL, HOST_MAC), IF0),
                    h.packet(fragmented, IF0),
                    h.packet(Arrays.copyOf(good, good.length - 1), IF0),
                    h.packet(bytes(ip6Header(HOST_GLOBAL, dst, 2, 58, 255), new byte[] {(byte) NS, 0}), IF0),
                    h.packet(good, 9));

            assertEquals(0, h.captured(REPLY).size());
            assertEquals(0, h.captured(PUNT).size());
            assertEquals(1, h.errors(ND, "nd hop limit not 255"));
            assertEquals(1, h.errors(ND, "icmp6 checksum invalid"));
            assertEquals(1, h.errors(ND, "nd message too short"));
            assertEquals(1, h.errors(ND, "nd code not 0"));
            assertEquals(1, h.errors(ND, "nd option length 0"));
            assertEquals(1, h.errors(ND, "nd option truncated"));
            assertEquals(1, h.errors(ND, "nd link-layer address option not ethernet"));
            assertEquals(1, h.errors(ND, "nd target is multicast"));
            assertEquals(1, h.errors(ND, "nd unspecified source with link-layer address"));
            assertEquals(1, h.errors(ND, "nd unspecified source not to solicited-node group"));
            assertEquals(2, h.errors(ND, "nd link-layer address is zero or multicast"));
            assertEquals(1, h.errors(ND, "nd sender uses our address"));
            assertEquals(1, h.errors(ND, "nd fragmented"));
            assertEquals(1, h.errors(ND, "ip6 header malformed"));
            assertEquals(1, h.errors(ND, "icmp6 header truncated"));
            assertEquals(1, h.errors(ND, "unknown interface"));
        }
        assertEquals(0, neighbours.size(), "nothing learned from an invalid message");
    }

    @Test
    void otherTrafficIsPuntedUntouched() {
        byte[] echo = icmp6(HOST_GLOBAL, OUR_GLOBAL, 64, new byte[] {(byte) 128, 0, 0, 0, 0, 1, 0, 1, 9, 9});
        byte[] routerSolicitation = icmp6(HOST_LINK_LOCAL, addr("ff02::2"), 255,
                bytes(new byte[] {(byte) 133, 0, 0, 0, 0, 0, 0, 0}, option(1, HOST_MAC)));
        byte[] routerAdvertisement = icmp6(HOST_LINK_LOCAL, ALL_NODES, 255,
                bytes(new byte[] {(byte) 134, 0, 0, 0, 64, 0, 0, 0}, new byte[8]));
        byte[] redirect = icmp6(HOST_LINK_LOCAL, OUR_LINK_LOCAL, 255,
                bytes(new byte[] {(byte) 137, 0, 0, 0, 0, 0, 0, 0}, addr("fe80::9"), addr("2001:db8:5::1")));
        byte[] udp = Ip6TestPackets.udp6(HOST_GLOBAL, OUR_GLOBAL, 500, 500, 64, 20);
        List<byte[]> sent = List.of(echo, routerSolicitation, routerAdvertisement, redirect, udp);
        try (StageHarness h = harness()) {
            for (byte[] p : sent) {
                h.run(ND, h.packet(p, IF0));
            }

            assertEquals(sent.size(), h.captured(PUNT).size());
            for (int i = 0; i < sent.size(); i++) {
                assertArrayEquals(sent.get(i), h.capturedBytes(PUNT).get(i));
            }
            assertEquals(0, h.captured(REPLY).size());
        }
    }

    @Test
    void anAdvertisementCompletesAResolutionAndTheResolverTheAdjacency() {
        AdjacencyTable adjacencies = new AdjacencyTable();
        AtomicInteger wakeups = new AtomicInteger();
        AdjacencyResolver resolver = new AdjacencyResolver(adjacencies, neighbours, wakeups::incrementAndGet);
        int adj = adjacencies.addNeighbor6(IF0, hi(HOST_LINK_LOCAL), lo(HOST_LINK_LOCAL), IF0_MAC);
        assertEquals(NeighbourTable.REQUEST_DUE,
                neighbours.claimRequest6(IF0, hi(HOST_LINK_LOCAL), lo(HOST_LINK_LOCAL), System.nanoTime(), SECOND));
        try (StageHarness h = harness()) {
            h.run(ND, h.packet(na(HOST_LINK_LOCAL, OUR_LINK_LOCAL, R | S | O, HOST_LINK_LOCAL, HOST_MAC), IF0));

            assertEquals(1, h.errors(ND, "neighbour advertisement learned"));
            assertEquals(0, h.captured(REPLY).size());
            assertEquals(0, h.captured(PUNT).size());
        }
        assertEquals(NeighbourTable.State.REACHABLE, state(IF0, HOST_LINK_LOCAL));
        assertEquals(mac(HOST_MAC), lookup(IF0, HOST_LINK_LOCAL));
        assertEquals(1, wakeups.get());
        assertEquals(AdjacencyKind.INCOMPLETE, adjacencies.kind(adj), "workers never touch the adjacency table");
        assertTrue(resolver.apply());
        assertEquals(AdjacencyKind.REWRITE, adjacencies.kind(adj));
        assertArrayEquals(bytes(HOST_MAC, IF0_MAC, new byte[] {(byte) 0x86, (byte) 0xDD}), adjacencies.rewrite(adj));
    }

    @Test
    void advertisementsFollowTheSolicitedAndOverrideFlags() {
        long t = System.nanoTime();
        byte[] known = addr("2001:db8:1::20");
        byte[] pinned = addr("2001:db8:1::21");
        byte[] asked = addr("2001:db8:1::22");
        byte[] unknown = addr("2001:db8:1::23");
        neighbours.learn6(IF0, hi(known), lo(known), mac(HOST_MAC), t);
        neighbours.addStatic6(IF0, hi(pinned), lo(pinned), mac(HOST_MAC), t);
        neighbours.claimRequest6(IF0, hi(asked), lo(asked), t, SECOND);
        try (StageHarness h = harness()) {
            h.run(ND, h.packet(na(known, OUR_GLOBAL, S, known, OTHER_MAC), IF0));
            assertEquals(1, h.errors(ND, "neighbour advertisement not overriding"));
            assertEquals(mac(HOST_MAC), lookup(IF0, known), "no override, the cached address stays");

            h.run(ND, h.packet(na(known, ALL_NODES, 0, known, HOST_MAC), IF0));
            assertEquals(1, h.errors(ND, "neighbour advertisement changed nothing"));

            h.run(ND, h.packet(na(known, OUR_GLOBAL, S, known, null), IF0));
            h.run(ND, h.packet(na(known, ALL_NODES, O, known, OTHER_MAC), IF0));
            assertEquals(2, h.errors(ND, "neighbour advertisement refreshed neighbour"));
            assertEquals(mac(OTHER_MAC), lookup(IF0, known), "override moves the neighbour to its new MAC");

            h.run(ND, h.packet(na(pinned, OUR_GLOBAL, S | O, pinned, OTHER_MAC), IF0));
            assertEquals(1, h.errors(ND, "neighbour advertisement for static neighbour"));
            assertEquals(mac(HOST_MAC), lookup(IF0, pinned));

            h.run(ND, h.packet(na(asked, OUR_GLOBAL, S, asked, null), IF0));
            assertEquals(1, h.errors(ND, "neighbour advertisement without link-layer address"));
            assertEquals(NeighbourTable.State.INCOMPLETE, state(IF0, asked));

            h.run(ND, h.packet(na(unknown, OUR_GLOBAL, S | O, unknown, OTHER_MAC), IF0));
            assertEquals(1, h.errors(ND, "neighbour advertisement for unknown neighbour"));
            assertNull(state(IF0, unknown), "RFC 4861 section 7.2.5: no entry is created");

            h.run(ND, h.packet(na(asked, ALL_NODES, S | O, asked, OTHER_MAC), IF0));
            assertEquals(1, h.errors(ND, "nd solicited advertisement to multicast"));

            h.run(ND, h.packet(na(HOST_GLOBAL, ALL_NODES, O, OUR_GLOBAL, OTHER_MAC), IF0));
            assertEquals(1, h.errors(ND, "neighbour advertisement for our address"));

            h.run(ND, h.packet(na(asked, OUR_GLOBAL, 0, asked, OTHER_MAC), IF0));
            assertEquals(1, h.errors(ND, "neighbour advertisement learned"),
                    "an unsolicited answer still completes a resolution in progress");
            assertEquals(0, h.captured(REPLY).size());
        }
        assertEquals(mac(OTHER_MAC), lookup(IF0, asked));
        assertNull(state(IF0, OUR_GLOBAL));
    }

    @Test
    void multicastSolicitationsReachTheStageThroughEthernetAndIp6Lookup() {
        // The wiring proposed for ForwardingGraph: ff02::1:ff00:0/104 and our addresses are
        // local routes, ip6-lookup's local arc leads here, replies go through ethernet-output.
        AdjacencyTable adjacencies = new AdjacencyTable();
        LoadBalanceTable lbs = new LoadBalanceTable(adjacencies);
        Ip6Fib fib6 = new Ip6Fib(lbs);
        byte[] group = addr("ff02::1:ff00:0");
        fib6.add(hi(group), lo(group), 104, lbs.create(adjacencies.addLocal6(IF0, hi(group), lo(group))));
        fib6.add(hi(OUR_GLOBAL), lo(OUR_GLOBAL), 128,
                lbs.create(adjacencies.addLocal6(IF0, hi(OUR_GLOBAL), lo(OUR_GLOBAL))));
        fib6.add(hi(addr("ff00::")), 0, 8, LoadBalanceTable.PUNT);
        ForwardingTables tables = ForwardingTables.capture(new Ip4Fib(lbs), fib6, lbs, adjacencies);
        try (StageHarness h = new StageHarness(new EthernetInput(new EthernetInput.Params(interfaces)),
                new Ip6Input(), new Ip6Lookup(new Ip6Lookup.Params(() -> tables)),
                new Ip6NeighbourInput(new Ip6NeighbourInput.Params(interfaces, neighbours)),
                new EthernetOutput(new EthernetOutput.Params(interfaces)))
                .connect(EthernetInput.NAME, "ip6", Ip6Input.NAME)
                .connect(Ip6Input.NAME, "lookup", Ip6Lookup.NAME)
                .connect(Ip6Lookup.NAME, "local", ND)
                .connect(ND, "reply", EthernetOutput.NAME)) {
            byte[] multicast = ethernet(multicastMac(solicitedNode(OUR_GLOBAL)), HOST_MAC,
                    ns(HOST_GLOBAL, solicitedNode(OUR_GLOBAL), OUR_GLOBAL, HOST_MAC));
            byte[] unicast = ethernet(IF0_MAC, HOST_MAC, ns(HOST_GLOBAL, OUR_GLOBAL, OUR_GLOBAL, HOST_MAC));
            byte[] echo = ethernet(IF0_MAC, HOST_MAC,
                    icmp6(HOST_GLOBAL, OUR_GLOBAL, 64, new byte[] {(byte) 128, 0, 0, 0, 0, 1, 0, 1}));
            h.run(EthernetInput.NAME, h.packet(bytes(multicast, new byte[12]), IF0), h.packet(unicast, IF0),
                    h.packet(echo, IF0));

            String tx = EthernetOutput.NAME + ".tx";
            assertEquals(2, h.captured(tx).size());
            byte[] expected = expectedAdvertisement(HOST_MAC, IF0_MAC, OUR_GLOBAL, HOST_GLOBAL, R | S | O);
            assertArrayEquals(expected, h.capturedBytes(tx).get(0));
            assertArrayEquals(expected, h.capturedBytes(tx).get(1));
            assertEquals(1, h.captured(PUNT).size(), "the echo request is for the control plane");
            assertEquals(0, h.captured(Ip6Lookup.NAME + ".punt").size());
        }
    }

    @Test
    void tracesSayWhatTheMessageIs() {
        Ip6NeighbourInput stage = new Ip6NeighbourInput(new Ip6NeighbourInput.Params(interfaces, neighbours));
        try (StageHarness h = new StageHarness(stage)) {
            int solicitation = h.packet(ns(HOST_GLOBAL, solicitedNode(OUR_GLOBAL), OUR_GLOBAL, HOST_MAC), IF0);
            int advertisement = h.packet(na(HOST_GLOBAL, OUR_GLOBAL, S | O, HOST_GLOBAL, HOST_MAC), IF0);
            assertEquals("neighbour solicitation who-has 2001:db8:1::1 tell 2001:db8:1::2, hop limit 255, rx 0",
                    stage.formatTrace(h.memory(), solicitation));
            assertEquals("neighbour advertisement 2001:db8:1::2 from 2001:db8:1::2 flags -SO, hop limit 255, rx 0",
                    stage.formatTrace(h.memory(), advertisement));
            int runt = h.packet(new byte[10], IF0);
            assertEquals("truncated ip6 packet of 10 bytes, rx 0", stage.formatTrace(h.memory(), runt));
            h.buffers().free(solicitation);
            h.buffers().free(advertisement);
            h.buffers().free(runt);
        }
    }
}
