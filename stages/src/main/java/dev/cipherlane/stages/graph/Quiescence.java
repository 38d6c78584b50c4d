package dev.cipherlane.stages.graph;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * Waits until every worker has passed a swap point: a slot was just published, and an old
 * instance may only be closed once no worker can still be inside a frame that read it.
 *
 * <p>A worker reads a slot once per frame, within a round of {@link GraphRuntime#runOnce}, whose
 * count is odd while the round runs. A runtime found between rounds (even: polling nothing,
 * asleep in epoll, dead or stopped) will read the new instance in its next round, so it is
 * never waited for, and an idle worker need not be woken; one found in a round has passed the
 * point as soon as its count moves on. The wait is thus at most one round of the slowest worker.
 */
public final class Quiescence {
    private static final int SPINS = 1000;
    private static final long PARK_NS = 50_000;

    private final List<GraphRuntime> runtimes;
    private final long[] marks;

    private Quiescence(List<GraphRuntime> runtimes) {
        this.runtimes = List.copyOf(runtimes);
        this.marks = new long[this.runtimes.size()];
        for (int i = 0; i < marks.length; i++) {
            marks[i] = this.runtimes.get(i).round();
        }
    }

    /** Marks where each runtime is now; call right after publishing. */
    public static Quiescence mark(List<GraphRuntime> runtimes) {
        return new Quiescence(runtimes);
    }

    /** Whether every runtime has passed its mark. */
    public boolean passed() {
        return pending() < 0;
    }

    /** Waits at most {@code limit}; returns whether every runtime passed its mark. */
    public boolean await(Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        for (int spins = 0; !passed(); spins++) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            if (spins < SPINS) {
                Thread.onSpinWait();
            } else {
                LockSupport.parkNanos(PARK_NS);
            }
        }
        return true;
    }

    /** The first worker still in the round it was in at the mark, or -1. */
    public int pending() {
        for (int i = 0; i < marks.length; i++) {
            long m = marks[i];
            if ((m & 1) != 0 && runtimes.get(i).round() == m) {
                return runtimes.get(i).worker();
            }
        }
        return -1;
    }
}
