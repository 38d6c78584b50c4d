package dev.cipherlane.ipsec.parallel;

import com.lmax.disruptor.AlertException;
import com.lmax.disruptor.Sequence;
import com.lmax.disruptor.SequenceBarrier;
import com.lmax.disruptor.WaitStrategy;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;

/**
 * How an idle crypto thread waits for the next batch: spin a little (under load the next
 * batch is a few hundred nanoseconds away), then yield, then park until a producer
 * publishes, so an idle node does not burn a core per crypto thread.
 *
 * <p>A producer pays for the wake-up only when someone sleeps: publishing ends with a full
 * fence and one read of {@code sleepers}. The handshake is Dekker's: a waiter raises
 * {@code sleepers} (an atomic add, a full fence) and then reads the cursor; the producer
 * writes the cursor, fences, then reads {@code sleepers}. At least one of them sees the
 * other's write, so either the waiter sees the new batch and does not park, or the producer
 * sees the sleeper and unparks it (an unpark that comes before the park is kept as a
 * permit). Parks are bounded anyway, so a bug here would cost latency, not liveness.
 *
 * <p>Unlike Disruptor's blocking strategies no lock is taken on any path, and unlike its
 * sleeping strategy a parked thread stays parked while nothing arrives.
 */
final class ParkingWaitStrategy implements WaitStrategy {
    static final int SPINS = 2000;
    static final int YIELDS = 50;
    static final long MAX_PARK_NANOS = 100_000_000L;

    private static final VarHandle SLEEPERS;

    static {
        try {
            SLEEPERS = MethodHandles.lookup().findVarHandle(ParkingWaitStrategy.class, "sleepers", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The threads that may wait here, registered once each as they start. */
    private final Thread[] waiters;
    private volatile int registered;
    @SuppressWarnings("unused") // accessed through SLEEPERS
    private volatile int sleepers;

    ParkingWaitStrategy(int maxWaiters) {
        waiters = new Thread[maxWaiters];
    }

    /** Called by each waiting thread before it first waits. */
    synchronized void register(Thread t) {
        int n = registered;
        if (n == waiters.length) {
            throw new IllegalStateException("more waiting threads than the " + waiters.length + " expected");
        }
        waiters[n] = t;
        registered = n + 1;
    }

    @Override
    public long waitFor(long sequence, Sequence cursor, Sequence dependentSequence, SequenceBarrier barrier)
            throws AlertException {
        long available;
        int rounds = 0;
        while ((available = dependentSequence.get()) < sequence) {
            barrier.checkAlert();
            if (rounds < SPINS) {
                Thread.onSpinWait();
            } else if (rounds < SPINS + YIELDS) {
                Thread.yield();
            } else {
                SLEEPERS.getAndAdd(this, 1);
                try {
                    if (dependentSequence.get() < sequence && !barrier.isAlerted()) {
                        LockSupport.parkNanos(this, MAX_PARK_NANOS);
                    }
                } finally {
                    SLEEPERS.getAndAdd(this, -1);
                }
            }
            rounds++;
        }
        return available;
    }

    @Override
    public void signalAllWhenBlocking() {
        // The publish before this was a release store; without the fence the read of
        // sleepers below could be satisfied before that store is visible (store-load).
        VarHandle.fullFence();
        if ((int) SLEEPERS.getVolatile(this) != 0) {
            int n = registered;
            for (int i = 0; i < n; i++) {
                LockSupport.unpark(waiters[i]);
            }
        }
    }
}
