package dev.cipherlane.afpacket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cipherlane.stages.testing.StageHarness;
import dev.cipherlane.testbed.Lab;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * afpacket-output's UDP GSO path allocates no Java objects per send: frames of one flow's
 * datagrams gathered into super-frames on a real veth, bytes allocated by this thread
 * counted by the JVM after warm-up. A byte count, not a timing, so it holds on a loaded
 * machine. Nothing reads the peer's end: its kernel drops the frames (not its MAC address).
 */
@Tag("root")
class AfPacketOutputAllocationTest {
    private static final int TX_IF = 1;
    private static final int DATAGRAMS = 40;
    /**
     * The stage runs once per super-frame here, not once per 256 packets, so it takes this
     * many calls before C2 compiles it with escape analysis; 3,000 left it allocating 40
     * bytes a call in code compiled without it, the old copying path alike.
     */
    private static final int WARM_UP_ROUNDS = 30_000;
    private static final int MEASURED_ROUNDS = 2_000;

    private VethPair pair;

    @BeforeEach
    void setUp() throws Exception {
        assumeTrue(Lab.runningAsRoot(), "needs root for namespaces, veth and AF_PACKET");
        pair = VethPair.create();
    }

    @AfterEach
    void tearDown() throws Exception {
        if (pair != null) {
            pair.close();
        }
    }

    @Test
    void gatheredSuperFramesAllocateNothingPerSend() throws Exception {
        PacketRing tx = pair.openA(new PacketRing.Config(1 << 17, 4, 2048, 5, 1 << 16, 4, -1, false, true));
        byte[][] datagrams = new byte[DATAGRAMS][];
        for (int i = 0; i < DATAGRAMS; i++) {
            // ESP in UDP of 1400-byte inner packets is about this size; the last is shorter.
            datagrams[i] = Frames.udp(4500, 4500, i, i == DATAGRAMS - 1 ? 300 : 1452);
        }
        String output = AfPacketOutput.NAME;
        try (StageHarness h = new StageHarness(2 * DATAGRAMS, 0,
                new AfPacketOutput(AfPacketOutput.Params.of(Map.of(TX_IF, List.of(tx)))))) {
            int[] frame = new int[DATAGRAMS];
            for (int r = 0; r < WARM_UP_ROUNDS; r++) {
                round(h, datagrams, frame);
            }
            com.sun.management.ThreadMXBean threads =
                    (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            long before = threads.getCurrentThreadAllocatedBytes();
            for (int r = 0; r < MEASURED_ROUNDS; r++) {
                round(h, datagrams, frame);
            }
            long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            int rounds = WARM_UP_ROUNDS + MEASURED_ROUNDS;
            assertEquals(0, h.errors(output, "udp gso send error"), "every super-frame went out");
            assertEquals(rounds, h.errors(output, "udp gso super-frames sent"));
            assertEquals((long) rounds * DATAGRAMS, h.errors(output, "udp gso datagrams sent"));
            double perSend = allocated / (double) MEASURED_ROUNDS;
            // One object per send would be >= 16 bytes.
            assertTrue(perSend < 1, allocated + " bytes allocated, " + perSend + " per super-frame");
        }
    }

    private static void round(StageHarness h, byte[][] datagrams, int[] frame) {
        for (int i = 0; i < frame.length; i++) {
            frame[i] = h.packet(datagrams[i], 0);
            h.memory().txInterface(frame[i], TX_IF);
        }
        h.run(AfPacketOutput.NAME, frame);
    }
}
