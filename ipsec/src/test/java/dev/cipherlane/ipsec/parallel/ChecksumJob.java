package dev.cipherlane.ipsec.parallel;

import dev.cipherlane.stages.buffer.Net;
import dev.cipherlane.stages.buffer.PacketMemory;

/**
 * Test job: writes the keyed checksum of the payload into the packet, counts its runs on
 * the packet and notes the thread. Packets whose number is {@code 3 mod 7} fail with reason
 * 1, {@code 5 mod 11} with reason 2, {@code 0 mod 101} throw, when those failures are on.
 */
final class ChecksumJob implements PacketJob<ChecksumEngine> {
    static final int REASON_SEVEN = 1;
    static final int REASON_ELEVEN = 2;

    private final int rounds;
    private final boolean failures;

    ChecksumJob(int rounds, boolean failures) {
        this.rounds = rounds;
        this.failures = failures;
    }

    static int expected(long seq) {
        if (seq % 101 == 0) {
            return ParallelRing.JOB_THREW;
        }
        if (seq % 7 == 3) {
            return REASON_SEVEN;
        }
        if (seq % 11 == 5) {
            return REASON_ELEVEN;
        }
        return PASS;
    }

    @Override
    public int run(ChecksumEngine engine, PacketMemory mem, int bi, int thread) {
        engine.use(thread);
        long s = mem.start(bi);
        mem.u32(bi, TestPackets.RUNS, mem.u32(bi, TestPackets.RUNS) + 1);
        mem.u32(bi, TestPackets.THREAD, thread);
        mem.data().set(Net.U64, s + TestPackets.TAG, TestPackets.checksum(mem, bi, engine.key, rounds));
        if (!failures) {
            return PASS;
        }
        long seq = TestPackets.sequence(mem, bi);
        int r = expected(seq);
        if (r == ParallelRing.JOB_THREW) {
            throw new IllegalStateException("job fails on packet " + seq);
        }
        return r;
    }
}
