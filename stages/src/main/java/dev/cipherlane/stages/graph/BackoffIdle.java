package dev.cipherlane.stages.graph;

import java.util.concurrent.locks.LockSupport;

/**
 * What a worker does after a round that produced nothing: spin a while (a packet is likely
 * to come soon under load), then yield, then park for growing intervals so an idle node
 * does not burn a core. Workers whose inputs are file descriptors sleep in epoll instead
 * (io-tap's EpollIdle).
 */
public final class BackoffIdle implements IdleStrategy {
    public static final String SPINS_NAME = "cipherlane.dataplane.idle.spin-polls";
    public static final int SPINS_DEFAULT = 1000;
    private static final int YIELDS = 100;
    private static final long MIN_PARK_NS = 1_000L;
    private static final long MAX_PARK_NS = 1_000_000L;

    private final int spins;
    private int idleRounds;
    private long parkNs = MIN_PARK_NS;

    public BackoffIdle(int spins) {
        if (spins < 0) {
            throw new IllegalArgumentException(SPINS_NAME + " must be >= 0, got " + spins);
        }
        this.spins = spins;
    }

    @Override
    public void idle(int work) {
        if (work > 0) {
            idleRounds = 0;
            parkNs = MIN_PARK_NS;
            return;
        }
        idleRounds++;
        if (idleRounds <= spins) {
            Thread.onSpinWait();
        } else if (idleRounds <= spins + YIELDS) {
            Thread.yield();
        } else {
            LockSupport.parkNanos(parkNs);
            parkNs = Math.min(parkNs * 2, MAX_PARK_NS);
        }
    }
}
