package dev.cipherlane.stages.builtin;

import static dev.cipherlane.stages.builtin.Ip4TestPackets.DF;
import static dev.cipherlane.stages.builtin.Ip4TestPackets.addr;
import static dev.cipherlane.stages.builtin.Ip4TestPackets.udp4;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cipherlane.stages.graph.Frame;
import dev.cipherlane.stages.testing.StageHarness;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/**
 * The IPv4 forwarding path (input, lookup, rewrite) allocates no Java objects per packet:
 * bytes allocated by this thread, counted by the JVM, over many full frames after warm-up.
 * A byte count, not a timing, so it holds on a loaded machine.
 */
class Ip4ForwardingAllocationTest {
    private static final int WARM_UP_ROUNDS = 3_000;
    private static final int MEASURED_ROUNDS = 2_000;

    @Test
    void forwardingAllocatesNothingPerPacket() {
        IpTestNetwork net = new IpTestNetwork();
        // Flows over a single path, the longer prefix, and both ECMP paths.
        byte[][] packets = new byte[16][];
        for (int i = 0; i < packets.length; i++) {
            int dst = switch (i % 3) {
                case 0 -> addr(192, 168, 1, 10 + i);
                case 1 -> addr(192, 168, 2, 10 + i);
                default -> addr(172, 16, 0, 10 + i);
            };
            packets[i] = udp4(addr(192, 168, 1, 9), dst, 30000 + i, 443, 64, DF, 64 + 40 * i);
        }
        try (StageHarness h = new StageHarness(2 * Frame.CAPACITY, 0,
                new Ip4Input(), net.ip4Lookup(), net.ip4Rewrite(), new Drop())
                .connect(Ip4Input.NAME, "lookup", Ip4Lookup.NAME)
                .connect(Ip4Lookup.NAME, "rewrite", Ip4Rewrite.NAME)
                .connect(Ip4Rewrite.NAME, "tx", Drop.NAME)) {
            int[] frame = new int[Frame.CAPACITY];
            for (int r = 0; r < WARM_UP_ROUNDS; r++) {
                round(h, packets, frame);
            }
            com.sun.management.ThreadMXBean threads =
                    (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            long before = threads.getCurrentThreadAllocatedBytes();
            for (int r = 0; r < MEASURED_ROUNDS; r++) {
                round(h, packets, frame);
            }
            long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            long forwarded = (long) (WARM_UP_ROUNDS + MEASURED_ROUNDS) * Frame.CAPACITY;
            assertEquals(forwarded, h.errors(Drop.NAME, "dropped"), "every packet went out the tx arc");
            double perPacket = allocated / (double) ((long) MEASURED_ROUNDS * Frame.CAPACITY);
            // One object per packet would be >= 16 bytes; one per frame still >= 0.06.
            assertTrue(perPacket < 0.01, allocated + " bytes allocated, " + perPacket + " per packet");
        }
    }

    private static void round(StageHarness h, byte[][] packets, int[] frame) {
        for (int i = 0; i < frame.length; i++) {
            frame[i] = h.packet(packets[i % packets.length], 0);
        }
        h.run(Ip4Input.NAME, frame);
    }
}
