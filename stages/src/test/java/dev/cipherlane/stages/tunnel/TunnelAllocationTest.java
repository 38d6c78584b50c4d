package dev.cipherlane.stages.tunnel;

import static dev.cipherlane.stages.tunnel.TunnelTestPackets.DF;
import static dev.cipherlane.stages.tunnel.TunnelTestPackets.addr;
import static dev.cipherlane.stages.tunnel.TunnelTestPackets.udp4;
import static dev.cipherlane.stages.tunnel.TunnelTestPackets.udp6;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cipherlane.stages.builtin.Drop;
import dev.cipherlane.stages.graph.Frame;
import dev.cipherlane.stages.testing.StageHarness;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/**
 * Encapsulation and decapsulation allocate no Java objects per packet: bytes allocated by this
 * thread, counted by the JVM, over many full frames after warm-up (a byte count, not a timing).
 */
class TunnelAllocationTest {
    private static final int WARM_UP_ROUNDS = 2_000;
    private static final int MEASURED_ROUNDS = 1_000;

    @Test
    void encapAndDecapAllocateNothingPerPacket() {
        TunnelNetwork net = new TunnelNetwork();
        byte[][] packets = new byte[16][];
        for (int i = 0; i < packets.length; i++) {
            packets[i] = i % 4 == 3
                    ? udp6(0xFD00_0000_0000_000AL, i, 0xFD00_0000_0000_000BL, 7, 5000 + i, 53, 2, 100 + 20 * i)
                    : udp4(addr(10, 1, 0, 5 + i), addr(10, 2, 0, 7), 30000 + i, 443, 2, DF, 64 + 40 * i);
        }
        try (StageHarness h = new StageHarness(2 * Frame.CAPACITY, 0, net.encap(), net.decapB(), new Drop())
                .connect(TunnelEncap.NAME, "rewrite", TunnelDecap.NAME)
                .connect(TunnelDecap.NAME, "ip4", Drop.NAME)
                .connect(TunnelDecap.NAME, "ip6", Drop.NAME)) {
            int[] frame = new int[Frame.CAPACITY];
            for (int r = 0; r < WARM_UP_ROUNDS; r++) {
                round(h, net, packets, frame);
            }
            com.sun.management.ThreadMXBean threads =
                    (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            long before = threads.getCurrentThreadAllocatedBytes();
            for (int r = 0; r < MEASURED_ROUNDS; r++) {
                round(h, net, packets, frame);
            }
            long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            long sent = (long) (WARM_UP_ROUNDS + MEASURED_ROUNDS) * Frame.CAPACITY;
            assertEquals(sent, h.errors(Drop.NAME, "dropped"), "every packet was encapsulated and decapsulated");
            double perPacket = allocated / (double) ((long) MEASURED_ROUNDS * Frame.CAPACITY);
            // One object per packet would be >= 16 bytes; one per frame still >= 0.06.
            assertTrue(perPacket < 0.01, allocated + " bytes allocated, " + perPacket + " per packet");
        }
    }

    private static void round(StageHarness h, TunnelNetwork net, byte[][] packets, int[] frame) {
        for (int i = 0; i < frame.length; i++) {
            int bi = h.packet(packets[i % packets.length], 1);
            h.memory().nextHop(bi, net.tunnelAdjacency[i % TunnelNetwork.TUNNELS]);
            frame[i] = bi;
        }
        h.run(TunnelEncap.NAME, frame);
    }
}
