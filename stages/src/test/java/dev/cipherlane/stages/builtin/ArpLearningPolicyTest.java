package dev.cipherlane.stages.builtin;

import static dev.cipherlane.stages.builtin.EthernetFrames.BROADCAST;
import static dev.cipherlane.stages.builtin.EthernetFrames.IF0;
import static dev.cipherlane.stages.builtin.EthernetFrames.IF0_MAC_BYTES;
import static dev.cipherlane.stages.builtin.EthernetFrames.IF1;
import static dev.cipherlane.stages.builtin.EthernetFrames.IF1_MAC_BYTES;
import static dev.cipherlane.stages.builtin.EthernetFrames.ZERO_MAC;
import static dev.cipherlane.stages.builtin.EthernetFrames.arp;
import static dev.cipherlane.stages.builtin.EthernetFrames.ethernet;
import static dev.cipherlane.stages.builtin.EthernetFrames.ip;
import static dev.cipherlane.stages.builtin.EthernetFrames.ipBytes;
import static dev.cipherlane.stages.builtin.EthernetFrames.macBytes;
import static dev.cipherlane.stages.builtin.EthernetFrames.macValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cipherlane.stages.fib.Prefixes;
import dev.cipherlane.stages.neighbour.LearningPolicy;
import dev.cipherlane.stages.neighbour.NeighbourTable;
import dev.cipherlane.stages.neighbour.ProxySet;
import dev.cipherlane.stages.testing.StageHarness;
import org.junit.jupiter.api.Test;

/**
 * {@code arp-input} learns only senders the rx interface can have (issue 10 item 5): the
 * pod's own address on its tap, the uplink's subnet on the uplink. Others are still
 * answered (RFC 826; the reply creates no state) but never learned, and counted.
 */
class ArpLearningPolicyTest {
    private static final String ETH = EthernetInput.NAME;
    private static final String ARP = ArpInput.NAME;
    private static final String REPLY = ARP + ".reply";
    private static final String NOT_LEARNED = "arp sender not learned (not an address the interface can have)";
    private static final long S = 1_000_000_000L;

    private static final byte[] HOST_MAC = macBytes(0x52, 0x54, 0, 0xaa, 0xbb, 0x02);
    private static final byte[] SPOOF_MAC = macBytes(0x52, 0x54, 0, 0xee, 0xee, 0x01);
    private static final byte[] OUR_IP = ipBytes(10, 0, 0, 1);
    private static final byte[] POD_MAC = macBytes(0x0a, 0x58, 0x0a, 0xf4, 0x01, 0x05);
    private static final byte[] POD_IP = ipBytes(10, 244, 1, 5);
    private static final byte[] GATEWAY = ipBytes(169, 254, 1, 1);
    private static final int FLOOD = 100_000;

    private static LearningPolicy policy(int uplinkPrefixLength) {
        return LearningPolicy.builder().allow4(IF0, ip(10, 0, 0, 0), uplinkPrefixLength)
                .allow4(IF1, ip(10, 244, 1, 5), 32).build();
    }

    private static StageHarness harness(NeighbourTable neighbours) {
        var interfaces = EthernetFrames.interfaces();
        ProxySet proxies = ProxySet.builder().add(IF1, Prefixes.parse4("169.254.1.1/32")).build();
        return new StageHarness(new EthernetInput(new EthernetInput.Params(interfaces)),
                new ArpInput(new ArpInput.Params(interfaces, neighbours, proxies)))
                .connect(ETH, "arp", ARP);
    }

    private static byte[] request(byte[] senderMac, byte[] senderIp, byte[] targetIp) {
        return ethernet(BROADCAST, senderMac, 0x0806, arp(1, senderMac, senderIp, ZERO_MAC, targetIp));
    }

    private static byte[] reply(byte[] senderMac, byte[] senderIp, byte[] targetMac, byte[] targetIp) {
        return ethernet(targetMac, senderMac, 0x0806, arp(2, senderMac, senderIp, targetMac, targetIp));
    }

    private static byte[] bytesOf(int address) {
        return ipBytes(address >>> 24, address >>> 16 & 0xFF, address >>> 8 & 0xFF, address & 0xFF);
    }

    @Test
    void answersButNeverLearnsSendersTheInterfaceCannotHave() {
        NeighbourTable neighbours = new NeighbourTable(NeighbourTable.Params.defaults());
        neighbours.learning(policy(24));
        try (StageHarness h = harness(neighbours)) {
            int host = h.packet(request(HOST_MAC, ipBytes(10, 0, 0, 2), OUR_IP), IF0);
            int outsider = h.packet(request(SPOOF_MAC, ipBytes(10, 9, 9, 9), OUR_IP), IF0);
            int outsiderReply = h.packet(reply(SPOOF_MAC, ipBytes(10, 9, 9, 8), IF0_MAC_BYTES, OUR_IP), IF0);
            int pod = h.packet(request(POD_MAC, POD_IP, GATEWAY), IF1);
            int spoofingPod = h.packet(request(POD_MAC, ipBytes(10, 244, 1, 6), GATEWAY), IF1);
            int podSpeakingForTheWire = h.packet(request(POD_MAC, ipBytes(10, 0, 0, 7), GATEWAY), IF1);
            h.run(ETH, host, outsider, outsiderReply, pod, spoofingPod, podSpeakingForTheWire);

            assertEquals(5, h.captured(REPLY).size(), "every request for us is answered");
            assertEquals(2, h.errors(ARP, "arp replies sent"));
            assertEquals(3, h.errors(ARP, "proxy arp replies sent"));
            assertEquals(4, h.errors(ARP, NOT_LEARNED));
        }
        assertEquals(macValue(HOST_MAC), neighbours.lookup4(IF0, ip(10, 0, 0, 2)));
        assertEquals(macValue(POD_MAC), neighbours.lookup4(IF1, ip(10, 244, 1, 5)));
        assertEquals(2, neighbours.size(), "nothing else was learned");
        assertEquals(NeighbourTable.NONE, neighbours.lookup4(IF0, ip(10, 9, 9, 9)));
        assertEquals(NeighbourTable.NONE, neighbours.lookup4(IF1, ip(10, 244, 1, 6)));
    }

    @Test
    void aFloodFromTheWireAndFromAPodLeavesThePinnedNextHopResolved() {
        NeighbourTable neighbours = new NeighbourTable(new NeighbourTable.Params(30 * S, 60 * S, 3 * S, 4096, 256));
        neighbours.learning(policy(16));
        int nextHop = ip(10, 0, 0, 2);
        neighbours.pin4(IF0, nextHop, 0);
        try (StageHarness h = harness(neighbours)) {
            h.run(ETH, h.packet(reply(HOST_MAC, bytesOf(nextHop), IF0_MAC_BYTES, OUR_IP), IF0));
            assertEquals(macValue(HOST_MAC), neighbours.lookup4(IF0, nextHop));

            int[] batch = new int[256];
            int n = 0;
            for (int i = 0; i < FLOOD; i++) {
                // Even senders inside the uplink's subnet (learned, up to the limit), odd ones outside.
                int sender = (i & 1) == 0 ? ip(10, 0, 1, 0) + i / 2 : ip(10, 128, 0, 0) + i;
                byte[] mac = macBytes(0x02, 0xee, i >>> 16 & 0xFF, i >>> 8 & 0xFF, i & 0xFF, 0x01);
                batch[n++] = h.packet(reply(mac, bytesOf(sender), IF0_MAC_BYTES, OUR_IP), IF0);
                // From the pod's tap: made-up senders answering for the gateway.
                batch[n++] = h.packet(reply(mac, bytesOf(ip(10, 245, 0, 0) + i), IF1_MAC_BYTES, GATEWAY), IF1);
                if (n == batch.length) {
                    h.run(ETH, batch);
                    n = 0;
                }
            }
            h.run(ETH, java.util.Arrays.copyOf(batch, n));

            assertEquals(FLOOD / 2 + FLOOD, h.errors(ARP, NOT_LEARNED));
            assertEquals(1 + FLOOD / 2, h.errors(ARP, "arp reply learned"));
        }
        assertEquals(macValue(HOST_MAC), neighbours.lookup4(IF0, nextHop), "the tunnel's next hop stays resolved");
        assertEquals(NeighbourTable.State.REACHABLE, neighbours.state4(IF0, nextHop));
        assertEquals(256, neighbours.dynamicOn(IF0));
        assertEquals(0, neighbours.dynamicOn(IF1));
        assertTrue(neighbours.size() <= 257, () -> "size " + neighbours.size());
        assertEquals(NeighbourTable.REQUEST_RESOLVED, neighbours.claimRequest4(IF0, nextHop, S, S));
    }
}
