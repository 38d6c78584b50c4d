package dev.cipherlane.stages.graph;

import dev.cipherlane.stages.buffer.BufferCache;
import dev.cipherlane.stages.buffer.PacketMemory;

/**
 * Chaos testing: the context a stage sees when it is made to fail. Every {@code oneIn}-th
 * packet the stage passes on makes {@link #enqueue} throw instead, as if the stage had hit a
 * bug on that packet before passing it on; everything else goes to the real context. Only
 * the stage this wraps pays for it; the others keep calling the runtime directly.
 */
final class FaultInjector implements StageContext {
    /** What the injected fault throws, so logs and tests can tell it from a real one. */
    static final class InjectedFault extends RuntimeException {
        InjectedFault(String stage, long packet) {
            super("fault injected into " + stage + " on packet " + packet, null, false, false);
        }
    }

    private final NodeRuntime target;
    private final int oneIn;
    private long passed;

    FaultInjector(NodeRuntime target, int oneIn) {
        if (oneIn < 2) {
            throw new IllegalArgumentException("faults are injected one packet in 2 or more, got " + oneIn);
        }
        this.target = target;
        this.oneIn = oneIn;
    }

    @Override
    public void enqueue(int arc, int bi) {
        if (++passed % oneIn == 0) {
            throw new InjectedFault(target.slot.stage().name(), passed);
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
