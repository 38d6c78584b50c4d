package dev.cipherlane.stages.builtin;

import static dev.cipherlane.stages.builtin.Ip6TestPackets.addr;
import static dev.cipherlane.stages.builtin.Ip6TestPackets.udp6;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cipherlane.stages.graph.Frame;
import dev.cipherlane.stages.testing.StageHarness;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/**
 * The IPv6 forwarding path (input, lookup, rewrite) allocates no Java objects per packet,
 * measured as in {@link Ip4ForwardingAllocationTest}.
 */
class Ip6ForwardingAllocationTest {
    private static final int WARM_UP_ROUNDS = 3_000;
    private static final int MEASURED_ROUNDS = 2_000;

    @Test
    void forwardingAllocatesNothingPerPacket() {
        IpTestNetwork net = new IpTestNetwork();
        byte[] sender = addr("2001:db8:1::9");
        byte[][] packets = new byte[16][];
        for (int i = 0; i < packets.length; i++) {
            String dst = switch (i % 3) {
                case 0 -> "2001:db8:1::" + Integer.toHexString(10 + i);
                case 1 -> "2001:db8:2::" + Integer.toHexString(10 + i);
                default -> "2001:db8:e::" + Integer.toHexString(10 + i);
            };
            packets[i] = udp6(sender, addr(dst), 30000 + i, 443, 64, 64 + 40 * i);
        }
        try (StageHarness h = new StageHarness(2 * Frame.CAPACITY, 0,
                new Ip6Input(), net.ip6Lookup(), net.ip6Rewrite(), new Drop())
                .connect(Ip6Input.NAME, "lookup", Ip6Lookup.NAME)
                .connect(Ip6Lookup.NAME, "rewrite", Ip6Rewrite.NAME)
                .connect(Ip6Rewrite.NAME, "tx", Drop.NAME)) {
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
            assertTrue(perPacket < 0.01, allocated + " bytes allocated, " + perPacket + " per packet");
        }
    }

    private static void round(StageHarness h, byte[][] packets, int[] frame) {
        for (int i = 0; i < frame.length; i++) {
            frame[i] = h.packet(packets[i % packets.length], 0);
        }
        h.run(Ip6Input.NAME, frame);
    }
}
