package dev.cipherlane.ipsec.parallel;

import dev.cipherlane.stages.buffer.PacketMemory;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;

/**
 * Test job that makes threads finish out of order: one packet in {@code every} sleeps for
 * up to {@code maxNanos}, so a thread holding an early batch is often overtaken by one
 * holding a later batch. Counts its runs on the packet.
 */
final class DelayJob implements PacketJob<Object> {
    private final int every;
    private final long maxNanos;

    DelayJob(int every, long maxNanos) {
        this.every = every;
        this.maxNanos = maxNanos;
    }

    @Override
    public int run(Object engine, PacketMemory mem, int bi, int thread) {
        mem.u32(bi, TestPackets.RUNS, mem.u32(bi, TestPackets.RUNS) + 1);
        mem.u32(bi, TestPackets.THREAD, thread);
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        if (rnd.nextInt(every) == 0) {
            LockSupport.parkNanos(1 + rnd.nextLong(maxNanos));
        }
        return PASS;
    }
}
