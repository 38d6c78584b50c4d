package dev.cipherlane.stages.builtin;

import static dev.cipherlane.stages.builtin.EthernetFrames.BROADCAST;
import static dev.cipherlane.stages.builtin.EthernetFrames.IF0;
import static dev.cipherlane.stages.builtin.EthernetFrames.IF0_MAC_BYTES;
import static dev.cipherlane.stages.builtin.EthernetFrames.IF1;
import static dev.cipherlane.stages.builtin.EthernetFrames.IF1_MAC_BYTES;
import static dev.cipherlane.stages.builtin.EthernetFrames.ZERO_MAC;
import static dev.cipherlane.stages.builtin.EthernetFrames.arp;
import static dev.cipherlane.stages.builtin.EthernetFrames.bytes;
import static dev.cipherlane.stages.builtin.EthernetFrames.ethernet;
import static dev.cipherlane.stages.builtin.EthernetFrames.ip;
import static dev.cipherlane.stages.builtin.EthernetFrames.ipBytes;
import static dev.cipherlane.stages.builtin.EthernetFrames.macBytes;
import static dev.cipherlane.stages.builtin.EthernetFrames.macValue;
import static dev.cipherlane.stages.builtin.EthernetFrames.u16;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.cipherlane.stages.fib.Prefixes;
import dev.cipherlane.stages.neighbour.NeighbourTable;
import dev.cipherlane.stages.neighbour.ProxySet;
import dev.cipherlane.stages.testing.StageHarness;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** ARP through {@code ethernet-input -> arp-input}, as frames arrive from an interface. */
class ArpInputTest {
    private static final String ETH = EthernetInput.NAME;
    private static final String ARP = ArpInput.NAME;
    private static final String REPLY = ARP + ".reply";

    private static final byte[] HOST_MAC = macBytes(0x52, 0x54, 0, 0xaa, 0xbb, 0x02);
    private static final byte[] HOST_IP = ipBytes(10, 0, 0, 2);
    private static final byte[] OUR_IP = ipBytes(10, 0, 0, 1);
    private static final byte[] POD_MAC = macBytes(0x0a, 0x58, 0x0a, 0xf4, 0x01, 0x05);
    private static final byte[] POD_IP = ipBytes(10, 244, 1, 5);
    private static final byte[] GATEWAY = ipBytes(169, 254, 1, 1);

    private final NeighbourTable neighbours = new NeighbourTable(NeighbourTable.Params.defaults());

    private StageHarness harness(ProxySet proxies) {
        var interfaces = EthernetFrames.interfaces();
        return new StageHarness(new EthernetInput(new EthernetInput.Params(interfaces)),
                new ArpInput(new ArpInput.Params(interfaces, neighbours, proxies)))
                .connect(ETH, "arp", ARP);
    }

    private StageHarness harness() {
        return harness(ProxySet.EMPTY);
    }

    private static byte[] request(byte[] senderMac, byte[] senderIp, byte[] targetIp) {
        return ethernet(BROADCAST, senderMac, 0x0806, arp(1, senderMac, senderIp, ZERO_MAC, targetIp));
    }

    @Test
    void answersARequestForOurAddressByteForByte() {
        // Minimum-size Ethernet frame: 18 bytes of padding after the ARP packet.
        byte[] frame = bytes(request(HOST_MAC, HOST_IP, OUR_IP), new byte[18]);
        byte[] expected = bytes(
                HOST_MAC, IF0_MAC_BYTES, new byte[] {0x08, 0x06},
                new byte[] {0, 1, 0x08, 0x00, 6, 4, 0, 2},
                IF0_MAC_BYTES, OUR_IP,
                HOST_MAC, HOST_IP);
        try (StageHarness h = harness()) {
            h.run(ETH, h.packet(frame, IF0));

            assertEquals(1, h.captured(REPLY).size());
            assertArrayEquals(expected, h.capturedBytes(REPLY).get(0));
            int bi = h.captured(REPLY).get(0);
            assertEquals(IF0, h.memory().txInterface(bi));
            assertEquals(h.memory().dataOffset(bi) + 14, h.memory().l3Offset(bi));
            assertEquals(1, h.errors(ARP, "arp replies sent"));
        }
        // The asker is learned on the way (RFC 826: we are the target).
        assertEquals(macValue(HOST_MAC), neighbours.lookup4(IF0, ip(10, 0, 0, 2)));
        assertEquals(NeighbourTable.State.REACHABLE, neighbours.state4(IF0, ip(10, 0, 0, 2)));
    }

    @Test
    void proxyAnswersThePodGatewayAndLearnsThePod() {
        ProxySet proxies = ProxySet.builder().add(IF1, Prefixes.parse4("169.254.1.1/32")).build();
        byte[] expected = bytes(
                POD_MAC, IF1_MAC_BYTES, new byte[] {0x08, 0x06},
                new byte[] {0, 1, 0x08, 0x00, 6, 4, 0, 2},
                IF1_MAC_BYTES, GATEWAY,
                POD_MAC, POD_IP);
        try (StageHarness h = harness(proxies)) {
            int asked = h.packet(request(POD_MAC, POD_IP, GATEWAY), IF1);
            // Same address asked on IF0: not proxied there.
            int elsewhere = h.packet(request(HOST_MAC, HOST_IP, GATEWAY), IF0);
            // An address outside the proxied range on IF1.
            int outside = h.packet(request(POD_MAC, POD_IP, ipBytes(169, 254, 1, 2)), IF1);
            h.run(ETH, asked, elsewhere, outside);

            assertEquals(1, h.captured(REPLY).size());
            assertArrayEquals(expected, h.capturedBytes(REPLY).get(0));
            assertEquals(IF1, h.memory().txInterface(h.captured(REPLY).get(0)));
            assertEquals(1, h.errors(ARP, "proxy arp replies sent"));
            assertEquals(0, h.errors(ARP, "arp replies sent"));
            assertEquals(1, h.errors(ARP, "arp request not for us"));
            // The pod, learned by its first request, is refreshed by its second.
            assertEquals(1, h.errors(ARP, "arp neighbour refreshed"));
        }
        assertEquals(macValue(POD_MAC), neighbours.lookup4(IF1, ip(10, 244, 1, 5)));
        assertEquals(NeighbourTable.NONE, neighbours.lookup4(IF0, ip(10, 0, 0, 2)));
    }

    @Test
    void proxyDoesNotAnswerProbesOrAnnouncementsOfTheProxiedRange() {
        // A pod checking (RFC 5227 probe) or announcing its own address inside a proxied
        // range must not see us claim it.
        ProxySet proxies = ProxySet.builder().add(IF1, Prefixes.parse4("10.244.0.0/16")).build();
        try (StageHarness h = harness(proxies)) {
            int probe = h.packet(request(POD_MAC, ipBytes(0, 0, 0, 0), POD_IP), IF1);
            int announce = h.packet(request(POD_MAC, POD_IP, POD_IP), IF1);
            h.run(ETH, probe, announce);

            assertEquals(0, h.captured(REPLY).size());
            assertEquals(1, h.errors(ARP, "arp request not for us"));
            assertEquals(1, h.errors(ARP, "gratuitous arp"));
        }
        assertNull(neighbours.state4(IF1, ip(10, 244, 1, 5)));
    }

    @Test
    void answersAProbeForOurAddressWithoutLearning() {
        byte[] expected = bytes(
                HOST_MAC, IF0_MAC_BYTES, new byte[] {0x08, 0x06},
                new byte[] {0, 1, 0x08, 0x00, 6, 4, 0, 2},
                IF0_MAC_BYTES, OUR_IP,
                HOST_MAC, ipBytes(0, 0, 0, 0));
        try (StageHarness h = harness()) {
            h.run(ETH, h.packet(request(HOST_MAC, ipBytes(0, 0, 0, 0), OUR_IP), IF0));

            assertArrayEquals(expected, h.capturedBytes(REPLY).get(0));
        }
        assertEquals(0, neighbours.size());
    }

    @Test
    void learnsTheSenderOfAReplyToUs() {
        byte[] reply = ethernet(IF0_MAC_BYTES, HOST_MAC, 0x0806, arp(2, HOST_MAC, HOST_IP, IF0_MAC_BYTES, OUR_IP));
        try (StageHarness h = harness()) {
            h.run(ETH, h.packet(reply, IF0));

            assertEquals(0, h.captured(REPLY).size());
            assertEquals(1, h.errors(ARP, "arp reply learned"));
        }
        assertEquals(macValue(HOST_MAC), neighbours.lookup4(IF0, ip(10, 0, 0, 2)));
    }

    @Test
    void aReplyDoesNotOverwriteAStaticNeighbour() {
        neighbours.addStatic4(IF0, ip(10, 0, 0, 2), 0x0200_0000_00EEL, 0);
        byte[] reply = ethernet(IF0_MAC_BYTES, HOST_MAC, 0x0806, arp(2, HOST_MAC, HOST_IP, IF0_MAC_BYTES, OUR_IP));
        try (StageHarness h = harness()) {
            h.run(ETH, h.packet(reply, IF0));

            assertEquals(1, h.errors(ARP, "arp reply not learned (static entry or table full)"));
        }
        assertEquals(0x0200_0000_00EEL, neighbours.lookup4(IF0, ip(10, 0, 0, 2)));
        assertEquals(NeighbourTable.State.PERMANENT, neighbours.state4(IF0, ip(10, 0, 0, 2)));
    }

    @Test
    void mergeRuleRefreshesKnownSendersOnlyWhateverTheTarget() {
        byte[] movedMac = macBytes(0x52, 0x54, 0, 0xaa, 0xbb, 0x99);
        neighbours.learn4(IF0, ip(10, 0, 0, 2), macValue(HOST_MAC), 0);
        try (StageHarness h = harness()) {
            // Known sender asks for someone else, from a new MAC: entry follows it.
            int known = h.packet(request(movedMac, HOST_IP, ipBytes(10, 0, 0, 9)), IF0);
            // Unknown sender asks for someone else: not learned.
            int unknown = h.packet(request(macBytes(0x52, 0x54, 0, 0, 0, 7), ipBytes(10, 0, 0, 7),
                    ipBytes(10, 0, 0, 9)), IF0);
            // A reply between two other hosts, sent to broadcast so we see it.
            int between = h.packet(ethernet(BROADCAST, macBytes(0x52, 0x54, 0, 0, 0, 9),
                    0x0806, arp(2, macBytes(0x52, 0x54, 0, 0, 0, 9), ipBytes(10, 0, 0, 9),
                            macBytes(0x52, 0x54, 0, 0, 0, 8), ipBytes(10, 0, 0, 8))), IF0);
            h.run(ETH, known, unknown, between);

            assertEquals(1, h.errors(ARP, "arp neighbour refreshed"));
            assertEquals(1, h.errors(ARP, "arp request not for us"));
            assertEquals(1, h.errors(ARP, "arp reply not for us"));
            assertEquals(0, h.captured(REPLY).size());
        }
        assertEquals(macValue(movedMac), neighbours.lookup4(IF0, ip(10, 0, 0, 2)));
        assertNull(neighbours.state4(IF0, ip(10, 0, 0, 7)));
        assertNull(neighbours.state4(IF0, ip(10, 0, 0, 9)));
    }

    @Test
    void gratuitousAnnouncementUpdatesAKnownHostAndTeachesNothingNew() {
        byte[] newMac = macBytes(0x52, 0x54, 0, 0xaa, 0xbb, 0x03);
        neighbours.learn4(IF0, ip(10, 0, 0, 2), macValue(HOST_MAC), 0);
        try (StageHarness h = harness()) {
            int moved = h.packet(request(newMac, HOST_IP, HOST_IP), IF0);
            int stranger = h.packet(ethernet(BROADCAST, macBytes(0x52, 0x54, 0, 0, 0, 5), 0x0806,
                    arp(2, macBytes(0x52, 0x54, 0, 0, 0, 5), ipBytes(10, 0, 0, 5), BROADCAST,
                            ipBytes(10, 0, 0, 5))), IF0);
            h.run(ETH, moved, stranger);

            assertEquals(2, h.errors(ARP, "gratuitous arp"));
        }
        assertEquals(macValue(newMac), neighbours.lookup4(IF0, ip(10, 0, 0, 2)));
        assertNull(neighbours.state4(IF0, ip(10, 0, 0, 5)));
    }

    @Test
    void dropsMalformedArp() {
        byte[] good = arp(1, HOST_MAC, HOST_IP, ZERO_MAC, OUR_IP);
        byte[] truncated = Arrays.copyOf(good, 27);
        byte[] ieee802 = good.clone();
        ieee802[1] = 6;
        byte[] ip6Protocol = good.clone();
        ip6Protocol[2] = (byte) 0x86;
        ip6Protocol[3] = (byte) 0xDD;
        byte[] longHardware = good.clone();
        longHardware[4] = 8;
        byte[] shortProtocol = good.clone();
        shortProtocol[5] = 2;
        try (StageHarness h = harness()) {
            for (byte[] body : new byte[][] {truncated, ieee802, ip6Protocol, longHardware, shortProtocol}) {
                h.run(ETH, h.packet(ethernet(BROADCAST, HOST_MAC, 0x0806, body), IF0));
            }
            assertEquals(5, h.errors(ARP, "malformed arp"));
            assertEquals(0, h.captured(REPLY).size());
        }
        assertEquals(0, neighbours.size());
    }

    @Test
    void dropsUnknownOpcodes() {
        // RARP request (3) and InARP request (8) are not ours to answer.
        try (StageHarness h = harness()) {
            h.run(ETH, h.packet(ethernet(BROADCAST, HOST_MAC, 0x0806, arp(3, HOST_MAC, HOST_IP, ZERO_MAC, OUR_IP)), IF0),
                    h.packet(ethernet(BROADCAST, HOST_MAC, 0x0806, arp(8, HOST_MAC, HOST_IP, ZERO_MAC, OUR_IP)), IF0));

            assertEquals(2, h.errors(ARP, "unknown arp opcode"));
        }
        assertEquals(0, neighbours.size());
    }

    @Test
    void refusesMulticastSendersAndAddressConflicts() {
        try (StageHarness h = harness()) {
            int multicast = h.packet(request(macBytes(0x01, 0, 0x5e, 0, 0, 1), HOST_IP, OUR_IP), IF0);
            int zero = h.packet(request(ZERO_MAC, HOST_IP, OUR_IP), IF0);
            int conflict = h.packet(request(HOST_MAC, OUR_IP, ipBytes(10, 0, 0, 2)), IF0);
            h.run(ETH, multicast, zero, conflict);

            assertEquals(2, h.errors(ARP, "arp sender mac is zero or multicast"));
            assertEquals(1, h.errors(ARP, "arp sender uses our address"));
            assertEquals(0, h.captured(REPLY).size());
        }
        assertEquals(0, neighbours.size());
    }

    @Test
    void dropsArpFromAnUnknownInterface() {
        try (StageHarness h = harness()) {
            // Straight into arp-input: the packet starts at the ARP header.
            h.run(ARP, h.packet(arp(1, HOST_MAC, HOST_IP, ZERO_MAC, OUR_IP), 9));

            assertEquals(1, h.errors(ARP, "unknown interface"));
        }
    }

    @Test
    void aReplyLeavesThroughEthernetOutput() {
        var interfaces = EthernetFrames.interfaces();
        try (StageHarness h = new StageHarness(new EthernetInput(new EthernetInput.Params(interfaces)),
                new ArpInput(new ArpInput.Params(interfaces, neighbours, ProxySet.EMPTY)),
                new EthernetOutput(new EthernetOutput.Params(interfaces)))
                .connect(ETH, "arp", ARP).connect(ARP, "reply", EthernetOutput.NAME)) {
            h.run(ETH, h.packet(request(HOST_MAC, HOST_IP, OUR_IP), IF0));

            assertEquals(1, h.captured(EthernetOutput.NAME + ".tx").size());
            byte[] out = h.capturedBytes(EthernetOutput.NAME + ".tx").get(0);
            assertEquals(42, out.length);
            assertArrayEquals(u16(2), Arrays.copyOfRange(out, 20, 22));
        }
    }

    @Test
    void traceSaysWhoAsksForWhat() {
        var interfaces = EthernetFrames.interfaces();
        ArpInput stage = new ArpInput(new ArpInput.Params(interfaces, neighbours, ProxySet.EMPTY));
        try (StageHarness h = new StageHarness(stage)) {
            int request = h.packet(arp(1, HOST_MAC, HOST_IP, ZERO_MAC, OUR_IP), IF0);
            int truncated = h.packet(new byte[10], IF0);
            assertEquals("request who-has 10.0.0.1 tell 10.0.0.2 (52:54:00:aa:bb:02), rx 0",
                    stage.formatTrace(h.memory(), request));
            assertEquals("truncated arp of 10 bytes, rx 0", stage.formatTrace(h.memory(), truncated));
            h.run(ARP, request, truncated);
            assertEquals(1, h.captured(REPLY).size());
        }
    }
}
