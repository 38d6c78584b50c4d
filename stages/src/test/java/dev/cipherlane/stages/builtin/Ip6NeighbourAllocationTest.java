package dev.cipherlane.stages.builtin;

import static dev.cipherlane.stages.builtin.NeighbourDiscoveryTestPackets.HOST_GLOBAL;
import static dev.cipherlane.stages.builtin.NeighbourDiscoveryTestPackets.HOST_MAC;
import static dev.cipherlane.stages.builtin.NeighbourDiscoveryTestPackets.IF0;
import static dev.cipherlane.stages.builtin.NeighbourDiscoveryTestPackets.O;
import static dev.cipherlane.stages.builtin.NeighbourDiscoveryTestPackets.OUR_GLOBAL;
import static dev.cipherlane.stages.builtin.NeighbourDiscoveryTestPackets.S;
import static dev.cipherlane.stages.builtin.NeighbourDiscoveryTestPackets.addr;
import static dev.cipherlane.stages.builtin.NeighbourDiscoveryTestPackets.hi;
import static dev.cipherlane.stages.builtin.NeighbourDiscoveryTestPackets.icmp6;
import static dev.cipherlane.stages.builtin.NeighbourDiscoveryTestPackets.lo;
import static dev.cipherlane.stages.builtin.NeighbourDiscoveryTestPackets.mac;
import static dev.cipherlane.stages.builtin.NeighbourDiscoveryTestPackets.na;
import static dev.cipherlane.stages.builtin.NeighbourDiscoveryTestPackets.ns;
import static dev.cipherlane.stages.builtin.NeighbourDiscoveryTestPackets.solicitedNode;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cipherlane.stages.fib.AdjacencyTable;
import dev.cipherlane.stages.fib.ForwardingTables;
import dev.cipherlane.stages.fib.Ip4Fib;
import dev.cipherlane.stages.fib.Ip6Fib;
import dev.cipherlane.stages.fib.LoadBalanceTable;
import dev.cipherlane.stages.graph.Frame;
import dev.cipherlane.stages.neighbour.Ip6NeighbourRequester;
import dev.cipherlane.stages.neighbour.NeighbourTable;
import dev.cipherlane.stages.net.InterfaceTable;
import dev.cipherlane.stages.testing.StageHarness;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/**
 * Answering solicitations, learning from advertisements and gleaning allocate no Java
 * objects per packet, measured with the thread's allocated-bytes counter as in
 * {@link Ip6ForwardingAllocationTest}.
 */
class Ip6NeighbourAllocationTest {
    private static final int WARM_UP_ROUNDS = 2_000;
    private static final int MEASURED_ROUNDS = 1_000;

    private final InterfaceTable interfaces = NeighbourDiscoveryTestPackets.interfaces();
    private final NeighbourTable neighbours = new NeighbourTable(NeighbourTable.Params.defaults());

    @Test
    void neighbourDiscoveryAllocatesNothingPerPacket() {
        byte[] other = addr("2001:db8:1::9");
        byte[][] packets = {
            ns(HOST_GLOBAL, solicitedNode(OUR_GLOBAL), OUR_GLOBAL, HOST_MAC),
            na(HOST_GLOBAL, OUR_GLOBAL, S | O, HOST_GLOBAL, HOST_MAC),
            icmp6(HOST_GLOBAL, OUR_GLOBAL, 64, new byte[] {(byte) 128, 0, 0, 0, 0, 1, 0, 1}),
            ns(HOST_GLOBAL, solicitedNode(other), other, HOST_MAC),
        };
        try (StageHarness h = new StageHarness(2 * Frame.CAPACITY, 0,
                new Ip6NeighbourInput(new Ip6NeighbourInput.Params(interfaces, neighbours)), new Drop())
                .connect(Ip6NeighbourInput.NAME, "reply", Drop.NAME)
                .connect(Ip6NeighbourInput.NAME, "punt", Drop.NAME)) {
            long allocated = measure(h, Ip6NeighbourInput.NAME, packets, IF0, -1);
            // Per round: 64 replies and 64 punts reach drop.
            assertEquals((long) (WARM_UP_ROUNDS + MEASURED_ROUNDS) * Frame.CAPACITY / 2,
                    h.errors(Drop.NAME, "dropped"));
            assertPerPacket(allocated);
        }
    }

    @Test
    void gleaningAllocatesNothingPerPacket() {
        AdjacencyTable adjacencies = new AdjacencyTable();
        int glean = adjacencies.addGlean6(IF0);
        LoadBalanceTable lbs = new LoadBalanceTable(adjacencies);
        ForwardingTables tables = ForwardingTables.capture(new Ip4Fib(lbs), new Ip6Fib(lbs), lbs, adjacencies);
        byte[] known = addr("2001:db8:1::8");
        neighbours.learn6(IF0, hi(known), lo(known), mac(HOST_MAC), System.nanoTime());
        byte[] unknown = addr("2001:db8:1::7");
        byte[][] packets = {
            Ip6TestPackets.udp6(addr("2001:db8:77::5"), known, 4000, 53, 64, 100),
            Ip6TestPackets.udp6(addr("2001:db8:77::5"), unknown, 4000, 53, 64, 100),
        };
        try (StageHarness h = new StageHarness(2 * Frame.CAPACITY, 0,
                new Ip6NeighbourGlean(new Ip6NeighbourGlean.Params(interfaces, () -> tables,
                        new Ip6NeighbourRequester(neighbours, Long.MAX_VALUE / 4))), new Drop())
                .connect(Ip6NeighbourGlean.NAME, "request", Drop.NAME)
                .connect(Ip6NeighbourGlean.NAME, "resolved", Drop.NAME)
                .connect(Ip6NeighbourGlean.NAME, "icmp-error", Drop.NAME)) {
            long allocated = measure(h, Ip6NeighbourGlean.NAME, packets, 5, glean);
            // Every forwarded packet and the one solicitation reach drop.
            assertEquals((long) (WARM_UP_ROUNDS + MEASURED_ROUNDS) * Frame.CAPACITY / 2 + 1,
                    h.errors(Drop.NAME, "dropped"));
            assertPerPacket(allocated);
        }
    }

    /** Runs the warm-up rounds, then returns the bytes the measured rounds allocated. */
    private static long measure(StageHarness h, String stage, byte[][] packets, int rx, int adjacency) {
        int[] frame = new int[Frame.CAPACITY];
        for (int r = 0; r < WARM_UP_ROUNDS; r++) {
            round(h, stage, packets, rx, adjacency, frame);
        }
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int r = 0; r < MEASURED_ROUNDS; r++) {
            round(h, stage, packets, rx, adjacency, frame);
        }
        return threads.getCurrentThreadAllocatedBytes() - before;
    }

    private static void round(StageHarness h, String stage, byte[][] packets, int rx, int adjacency, int[] frame) {
        for (int i = 0; i < frame.length; i++) {
            frame[i] = h.packet(packets[i % packets.length], rx);
            h.memory().nextHop(frame[i], adjacency);
        }
        h.run(stage, frame);
    }

    private static void assertPerPacket(long allocated) {
        double perPacket = allocated / (double) ((long) MEASURED_ROUNDS * Frame.CAPACITY);
        assertTrue(perPacket < 0.01, allocated + " bytes allocated, " + perPacket + " per packet");
    }
}
