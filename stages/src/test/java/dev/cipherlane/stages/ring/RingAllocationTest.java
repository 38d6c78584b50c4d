package dev.cipherlane.stages.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/**
 * Offering a frame to a ring and polling it out must not allocate. Measured as bytes this
 * thread allocated, not as time, so the check holds on a loaded machine.
 */
class RingAllocationTest {
    private static final int ROUNDS = 500_000;
    private static final long BUDGET_BYTES = 1024;
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private static final FrameRing.Drain<long[]> SUM = (sum, bis, off, n) -> {
        for (int i = 0; i < n; i++) {
            sum[0] += bis[off + i];
        }
    };

    private static long rounds(FrameRing ring, int[] frame, long[] sum, int n) {
        long taken = 0;
        for (int r = 0; r < n; r++) {
            frame[0] = r;
            ring.offer(frame, 0, frame.length);
            ring.offer(frame, 0, 1);
            taken += ring.poll(SUM, sum, 300);
        }
        return taken;
    }

    @Test
    void offerAndPollAllocateNothing() {
        FrameRing ring = new FrameRing("r", 64);
        int[] frame = new int[32];
        long[] sum = new long[1];
        rounds(ring, frame, sum, ROUNDS);
        long before = THREADS.getCurrentThreadAllocatedBytes();
        long taken = rounds(ring, frame, sum, ROUNDS);
        long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
        assertEquals(33L * ROUNDS, taken);
        assertTrue(allocated < BUDGET_BYTES, allocated + " bytes allocated by " + ROUNDS + " offer/poll rounds");
    }
}
