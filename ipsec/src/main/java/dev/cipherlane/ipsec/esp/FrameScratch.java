package dev.cipherlane.ipsec.esp;

import dev.cipherlane.stages.graph.Frame;

/**
 * What the crypto-thread ESP stages keep per worker for the frame they work on: each packet's
 * outcome so far and the SA counters summed for the frame ({@link FrameCounters}). Made on a
 * worker's first frame (workers are at most {@link #MAX_WORKERS}, dataplane.workers' bound);
 * each slot is written by its own worker only.
 */
final class FrameScratch {
    static final int MAX_WORKERS = 64;

    final int[] arcs = new int[Frame.CAPACITY];
    final FrameCounters counters = new FrameCounters();

    /** One stage's scratch for every worker. */
    static final class PerWorker {
        private final FrameScratch[] slots = new FrameScratch[MAX_WORKERS];

        /** Worker {@code worker}'s scratch, or null for a worker beyond the bound (it works per packet). */
        FrameScratch of(int worker) {
            if (worker >= MAX_WORKERS) {
                return null;
            }
            FrameScratch s = slots[worker];
            if (s == null) {
                s = new FrameScratch();
                slots[worker] = s;
            }
            return s;
        }
    }

    private FrameScratch() {}
}
