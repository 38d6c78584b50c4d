package dev.cipherlane.stages.graph;

import dev.cipherlane.stages.buffer.BufferCache;
import dev.cipherlane.stages.buffer.PacketMemory;

/**
 * Chaos testing: the context a stage sees when it is made to fail. Every {@code oneIn}-th
 * packet the stage passes on makes {@link #enqueue} throw instead, as if the stage had hit a
 * bug on that packet before passing it on; everything else goes to the real context. Only
 * the stage this wraps pays for it; the others keep calling the runtime directly.
 *
 * <p>What it throws is an exception, which the runtime contains, or, when it kills the
 * worker, an error the runtime lets end the worker thread (as an OutOfMemoryError would).
 */
final class FaultInjector implements StageContext {
    /** What the injected fault throws, so logs and tests can tell it from a real one. */
    static final class InjectedFault extends RuntimeException {
        InjectedFault(String stage, long packet) {
            super("fault injected into " + stage + " on packet " + packet, null, false, false);
        }
    }

    /** What the injected fault throws when it is to end the worker. */
    static final class InjectedWorkerDeath extends Error {
        InjectedWorkerDeath(String stage, long packet) {
            super("fatal error injected into " + stage + " on packet " + packet, null, false, false);
        }
    }

    private final NodeRuntime target;
    private final int oneIn;
    private final boolean killsWorker;
    private long passed;

    FaultInjector(NodeRuntime target, int oneIn, boolean killsWorker) {
        if (oneIn < 2) {
            throw new IllegalArgumentException("faults are injected one packet in 2 or more, got " + oneIn);
        }
        this.target = target;
        this.oneIn = oneIn;
        this.killsWorker = killsWorker;
    }

    @Override
    public void enqueue(int arc, int bi) {
        if (++passed % oneIn == 0) {
            String stage = target.slot.stage().name();
            if (killsWorker) {
                throw new InjectedWorkerDeath(stage, passed);
            }
            throw new InjectedFault(stage, passed);
        }
        target.enqueue(arc, bi);
    }

    @Override
    public void drop(int bi, int error) {
        target.drop(bi, error);
    }

    @Override
    public void count(int error, long n) {
        target.count(error, n);
    }

    @Override
    public void keep(int bi) {
        target.keep(bi);
    }

    @Override
    public PacketMemory memory() {
        return target.memory();
    }

    @Override
    public BufferCache buffers() {
        return target.buffers();
    }

    @Override
    public int worker() {
        return target.worker();
    }

    @Override
    public long now() {
        return target.now();
    }
}
