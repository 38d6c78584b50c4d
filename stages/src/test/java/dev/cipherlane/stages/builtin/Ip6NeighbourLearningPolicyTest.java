package dev.cipherlane.stages.builtin;

import static dev.cipherlane.stages.builtin.NeighbourDiscoveryTestPackets.HOST_GLOBAL;
import static dev.cipherlane.stages.builtin.NeighbourDiscoveryTestPackets.HOST_MAC;
import static dev.cipherlane.stages.builtin.NeighbourDiscoveryTestPackets.IF0;
import static dev.cipherlane.stages.builtin.NeighbourDiscoveryTestPackets.IF1;
import static dev.cipherlane.stages.builtin.NeighbourDiscoveryTestPackets.OUR_GLOBAL;
import static dev.cipherlane.stages.builtin.NeighbourDiscoveryTestPackets.OUR_LINK_LOCAL;
import static dev.cipherlane.stages.builtin.NeighbourDiscoveryTestPackets.addr;
import static dev.cipherlane.stages.builtin.NeighbourDiscoveryTestPackets.hi;
import static dev.cipherlane.stages.builtin.NeighbourDiscoveryTestPackets.lo;
import static dev.cipherlane.stages.builtin.NeighbourDiscoveryTestPackets.mac;
import static dev.cipherlane.stages.builtin.NeighbourDiscoveryTestPackets.ns;
import static dev.cipherlane.stages.builtin.NeighbourDiscoveryTestPackets.solicitedNode;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cipherlane.stages.neighbour.LearningPolicy;
import dev.cipherlane.stages.neighbour.NeighbourTable;
import dev.cipherlane.stages.testing.StageHarness;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * {@code ip6-nd-input} learns a solicitation's sender (RFC 4861 section 7.2.3) only when the
 * rx interface can have it (issue 10 item 5); others are answered (section 7.2.4, to their
 * Source Link-Layer Address, creating no state) and counted.
 */
class Ip6NeighbourLearningPolicyTest {
    private static final String ND = Ip6NeighbourInput.NAME;
    private static final String REPLY = ND + ".reply";
    private static final String NOT_LEARNED = "nd sender not learned (not an address the interface can have)";
    private static final long S = 1_000_000_000L;
    private static final byte[] POD_ADDRESS = addr("fd01:1::11");
    private static final byte[] SPOOF_MAC = {0x02, (byte) 0xee, 0, 0, 0, 1};
    private static final int FLOOD = 100_000;

    private static LearningPolicy policy() {
        byte[] subnet = addr("2001:db8:1::");
        return LearningPolicy.builder().allow6(IF0, hi(subnet), lo(subnet), 64)
                .allow6(IF1, hi(POD_ADDRESS), lo(POD_ADDRESS), 128).build();
    }

    private static StageHarness harness(NeighbourTable neighbours) {
        return new StageHarness(new Ip6NeighbourInput(new Ip6NeighbourInput.Params(
                NeighbourDiscoveryTestPackets.interfaces(), neighbours)));
    }

    private static byte[] address(String prefix, int i) {
        byte[] a = addr(prefix);
        a[12] = (byte) (i >>> 24);
        a[13] = (byte) (i >>> 16);
        a[14] = (byte) (i >>> 8);
        a[15] = (byte) i;
        return a;
    }

    @Test
    void answersButNeverLearnsSendersTheInterfaceCannotHave() {
        NeighbourTable neighbours = new NeighbourTable(NeighbourTable.Params.defaults());
        neighbours.learning(policy());
        byte[] outsider = addr("2001:db8:9::9");
        byte[] spoofedPod = addr("fd01:1::12");
        byte[] podLinkLocal = addr("fe80::a8:aff:fef4:105");
        try (StageHarness h = harness(neighbours)) {
            h.run(ND, h.packet(ns(HOST_GLOBAL, solicitedNode(OUR_GLOBAL), OUR_GLOBAL, HOST_MAC), IF0),
                    h.packet(ns(outsider, solicitedNode(OUR_GLOBAL), OUR_GLOBAL, SPOOF_MAC), IF0),
                    h.packet(ns(POD_ADDRESS, solicitedNode(OUR_LINK_LOCAL), OUR_LINK_LOCAL, HOST_MAC), IF1),
                    h.packet(ns(spoofedPod, solicitedNode(OUR_LINK_LOCAL), OUR_LINK_LOCAL, SPOOF_MAC), IF1),
                    h.packet(ns(podLinkLocal, solicitedNode(OUR_LINK_LOCAL), OUR_LINK_LOCAL, HOST_MAC), IF1));

            assertEquals(5, h.captured(REPLY).size(), "every solicitation for us is answered");
            assertEquals(5, h.errors(ND, "neighbour advertisements sent"));
            assertEquals(3, h.errors(ND, NOT_LEARNED));
        }
        assertEquals(mac(HOST_MAC), neighbours.lookup6(IF0, hi(HOST_GLOBAL), lo(HOST_GLOBAL)));
        assertEquals(mac(HOST_MAC), neighbours.lookup6(IF1, hi(POD_ADDRESS), lo(POD_ADDRESS)));
        assertEquals(2, neighbours.size(), "nothing else was learned");
        assertEquals(NeighbourTable.NONE, neighbours.lookup6(IF0, hi(outsider), lo(outsider)));
        assertEquals(NeighbourTable.NONE, neighbours.lookup6(IF1, hi(spoofedPod), lo(spoofedPod)));
    }

    @Test
    void aFloodFromTheWireAndFromAPodLeavesThePinnedNextHopResolved() {
        NeighbourTable neighbours = new NeighbourTable(new NeighbourTable.Params(30 * S, 60 * S, 3 * S, 4096, 256));
        neighbours.learning(policy());
        neighbours.pin6(IF0, hi(HOST_GLOBAL), lo(HOST_GLOBAL), 0);
        try (StageHarness h = harness(neighbours)) {
            h.run(ND, h.packet(ns(HOST_GLOBAL, solicitedNode(OUR_GLOBAL), OUR_GLOBAL, HOST_MAC), IF0));
            h.freeCaptured(REPLY);
            int[] batch = new int[256];
            int n = 0;
            for (int i = 0; i < FLOOD; i++) {
                byte[] m = {0x02, (byte) 0xee, (byte) (i >>> 16), (byte) (i >>> 8), (byte) i, 1};
                // Even senders inside the uplink's /64 (learned up to the limit), odd ones outside.
                byte[] sender = address((i & 1) == 0 ? "2001:db8:1::1:0:0" : "2001:db8:2::", i);
                batch[n++] = h.packet(ns(sender, solicitedNode(OUR_GLOBAL), OUR_GLOBAL, m), IF0);
                batch[n++] = h.packet(ns(address("fd01:1::1:0:0", i), solicitedNode(OUR_LINK_LOCAL), OUR_LINK_LOCAL,
                        m), IF1);
                if (n == batch.length) {
                    h.run(ND, batch);
                    h.freeCaptured(REPLY);
                    n = 0;
                }
            }
            h.run(ND, Arrays.copyOf(batch, n));
            h.freeCaptured(REPLY);

            assertEquals(FLOOD / 2 + FLOOD, h.errors(ND, NOT_LEARNED));
            assertEquals(1 + 2 * FLOOD, h.errors(ND, "neighbour advertisements sent"));
        }
        assertEquals(mac(HOST_MAC), neighbours.lookup6(IF0, hi(HOST_GLOBAL), lo(HOST_GLOBAL)),
                "the pinned next hop stays resolved");
        assertEquals(256, neighbours.dynamicOn(IF0));
        assertEquals(0, neighbours.dynamicOn(IF1));
        assertEquals(NeighbourTable.REQUEST_RESOLVED,
                neighbours.claimRequest6(IF0, hi(HOST_GLOBAL), lo(HOST_GLOBAL), S, S));
    }
}
