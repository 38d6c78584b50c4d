package dev.cipherlane.stages.builtin;

import static dev.cipherlane.stages.builtin.IngressTestNetwork.HOST;
import static dev.cipherlane.stages.builtin.IngressTestNetwork.NODE_IP4;
import static dev.cipherlane.stages.builtin.IngressTestNetwork.PEER0_POD;
import static dev.cipherlane.stages.builtin.IngressTestNetwork.PEER0_POD6;
import static dev.cipherlane.stages.builtin.IngressTestNetwork.PEER1_POD;
import static dev.cipherlane.stages.builtin.IngressTestNetwork.POD0;
import static dev.cipherlane.stages.builtin.IngressTestNetwork.POD0_IP4;
import static dev.cipherlane.stages.builtin.IngressTestNetwork.POD0_IP6;
import static dev.cipherlane.stages.builtin.IngressTestNetwork.POD1_IP4;
import static dev.cipherlane.stages.builtin.IngressTestNetwork.UNDERLAY_NEIGHBOUR;
import static dev.cipherlane.stages.builtin.IngressTestNetwork.UPLINK;
import static dev.cipherlane.stages.builtin.Ip4TestPackets.udp4;
import static dev.cipherlane.stages.builtin.Ip6TestPackets.udp6;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cipherlane.stages.buffer.PacketFlags;
import dev.cipherlane.stages.graph.Frame;
import dev.cipherlane.stages.testing.StageHarness;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/**
 * The ingress checks of both lookups allocate no Java objects per packet, admitted or refused:
 * every role (pod, uplink, host tap, decapsulated) and every refusal in one frame, counted by
 * the JVM over many frames after warm-up, as {@link Ip4ForwardingAllocationTest} does. A byte
 * count, not a timing.
 */
class IngressAllocationTest {
    private static final int WARM_UP_ROUNDS = 3_000;
    private static final int MEASURED_ROUNDS = 2_000;

    /** A packet, where it arrives and how it is flagged; {@code tunnel} goes in the opaque word. */
    private record Arrival(byte[] bytes, int rx, int flags, int tunnel, String stage) {}

    @Test
    void judgingSourcesAllocatesNothingPerPacket() {
        IngressTestNetwork net = new IngressTestNetwork();
        int ip6 = PacketFlags.IP6;
        int decap = PacketFlags.DECAPSULATED;
        Arrival[] arrivals = {
            new Arrival(udp4(POD0_IP4, PEER0_POD, 64), POD0, 0, 0, Ip4Lookup.NAME),
            new Arrival(udp4(POD1_IP4, PEER0_POD, 64), POD0, 0, 0, Ip4Lookup.NAME),
            new Arrival(udp4(UNDERLAY_NEIGHBOUR, POD0_IP4, 64), UPLINK, 0, 0, Ip4Lookup.NAME),
            new Arrival(udp4(PEER0_POD, POD0_IP4, 64), UPLINK, 0, 0, Ip4Lookup.NAME),
            new Arrival(udp4(UNDERLAY_NEIGHBOUR, PEER1_POD, 64), UPLINK, 0, 0, Ip4Lookup.NAME),
            new Arrival(udp4(NODE_IP4, PEER0_POD, 64), HOST, 0, 0, Ip4Lookup.NAME),
            new Arrival(udp4(PEER0_POD, POD0_IP4, 64), UPLINK, decap, 1, Ip4Lookup.NAME),
            new Arrival(udp4(PEER1_POD, POD0_IP4, 64), UPLINK, decap, 1, Ip4Lookup.NAME),
            new Arrival(udp4(PEER0_POD, NODE_IP4, 64), UPLINK, decap, 0, Ip4Lookup.NAME),
            new Arrival(udp6(POD0_IP6, PEER0_POD6, 40000, 53, 64, 32), POD0, ip6, 0, Ip6Lookup.NAME),
            new Arrival(udp6(Ip6TestPackets.addr("fe80::7"), PEER0_POD6, 40000, 53, 64, 32), POD0, ip6, 0,
                    Ip6Lookup.NAME),
            new Arrival(udp6(PEER0_POD6, POD0_IP6, 40000, 53, 64, 32), UPLINK, ip6, 0, Ip6Lookup.NAME),
            new Arrival(udp6(PEER0_POD6, POD0_IP6, 40000, 53, 64, 32), UPLINK, ip6 | decap, 0, Ip6Lookup.NAME),
        };
        StageHarness h = new StageHarness(4 * Frame.CAPACITY, 0, net.ip4Lookup(), net.ip6Lookup(), new Drop());
        for (String lookup : new String[] {Ip4Lookup.NAME, Ip6Lookup.NAME}) {
            for (String arc : new String[] {"rewrite", "local", "glean", "punt", "tunnel"}) {
                h.connect(lookup, arc, Drop.NAME);
            }
        }
        try (h) {
            int[] four = new int[Frame.CAPACITY];
            int[] six = new int[Frame.CAPACITY];
            for (int r = 0; r < WARM_UP_ROUNDS; r++) {
                round(h, arrivals, four, six);
            }
            com.sun.management.ThreadMXBean threads =
                    (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            long before = threads.getCurrentThreadAllocatedBytes();
            for (int r = 0; r < MEASURED_ROUNDS; r++) {
                round(h, arrivals, four, six);
            }
            long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            long rounds = WARM_UP_ROUNDS + MEASURED_ROUNDS;
            long refused = 0;
            for (IpLookup.Errors e : IpLookup.Errors.values()) {
                refused += h.errors(Ip4Lookup.NAME, e.reason()) + h.errors(Ip6Lookup.NAME, e.reason());
            }
            assertEquals(rounds * 2 * Frame.CAPACITY, refused + h.errors(Drop.NAME, "dropped"),
                    "every packet was judged and went somewhere");
            assertTrue(refused > 0 && h.errors(Drop.NAME, "dropped") > 0, "both admitted and refused packets");
            double perPacket = allocated / (double) (MEASURED_ROUNDS * 2L * Frame.CAPACITY);
            // One object per packet would be >= 16 bytes; one per frame still >= 0.06.
            assertTrue(perPacket < 0.01, allocated + " bytes allocated, " + perPacket + " per packet");
        }
    }

    /** One full IPv4 frame and one full IPv6 frame, cycling through the arrivals of each family. */
    private static void round(StageHarness h, Arrival[] arrivals, int[] four, int[] six) {
        int n4 = 0;
        int n6 = 0;
        for (int i = 0; n4 < four.length || n6 < six.length; i++) {
            Arrival a = arrivals[i % arrivals.length];
            boolean v4 = a.stage().equals(Ip4Lookup.NAME);
            if (v4 ? n4 == four.length : n6 == six.length) {
                continue;
            }
            int bi = h.packet(a.bytes(), a.rx());
            h.memory().setFlag(bi, a.flags());
            h.memory().opaque(bi, a.tunnel());
            if (v4) {
                four[n4++] = bi;
            } else {
                six[n6++] = bi;
            }
        }
        h.run(Ip4Lookup.NAME, four);
        h.run(Ip6Lookup.NAME, six);
    }
}
