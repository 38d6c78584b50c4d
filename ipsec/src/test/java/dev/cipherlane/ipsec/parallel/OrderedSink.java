package dev.cipherlane.ipsec.parallel;

import dev.cipherlane.stages.buffer.PacketMemory;
import dev.cipherlane.stages.graph.Frame;
import dev.cipherlane.stages.graph.NextArc;
import dev.cipherlane.stages.graph.Stage;
import dev.cipherlane.stages.graph.StageContext;
import dev.cipherlane.stages.graph.StageError;
import dev.cipherlane.stages.graph.StageSpec;
import java.util.Arrays;

/**
 * Test sink: every producer's numbers must arrive in increasing order (gaps only where the
 * job dropped a packet), each packet processed exactly once, and, when a key is given, with
 * the keyed checksum of its payload. Records the first violation instead of throwing (a
 * throw would only kill the worker), counts, and frees every packet as "checked". Runs on
 * one worker only.
 */
final class OrderedSink extends Stage<Stage.NoParams> {
    /** Errors, in index order, with the reasons {@code show errors} prints. */
    public enum Errors implements StageError {
        CHECKED("checked");

        private final String reason;

        Errors(String reason) {
            this.reason = reason;
        }

        @Override
        public String reason() {
            return reason;
        }
    }

    private final long[] last;
    private final long key;
    private final int rounds;
    private final long[] perThread = new long[8];
    private volatile long received;
    private volatile String firstViolation;

    /** @param rounds checksum rounds to verify, 0 to not verify checksums */
    OrderedSink(String name, int producers, long key, int rounds) {
        super(StageSpec.of(name, NextArc.None.class, Errors.class), NoParams.INSTANCE);
        this.last = new long[producers];
        Arrays.fill(last, -1);
        this.key = key;
        this.rounds = rounds;
    }

    long received() {
        return received;
    }

    String firstViolation() {
        return firstViolation;
    }

    /** The last number received from {@code producer}; read once the worker stopped. */
    long last(int producer) {
        return last[producer];
    }

    /** Packets each crypto thread worked on; read once the worker stopped. */
    long[] perThread() {
        return perThread.clone();
    }

    @Override
    public void process(Frame frame, StageContext ctx) {
        PacketMemory mem = ctx.memory();
        int n = frame.count();
        for (int i = 0; i < n; i++) {
            int bi = frame.get(i);
            int producer = mem.u32(bi, TestPackets.PRODUCER);
            long seq = TestPackets.sequence(mem, bi);
            int runs = mem.u32(bi, TestPackets.RUNS);
            int thread = mem.u32(bi, TestPackets.THREAD);
            if (producer < 0 || producer >= last.length) {
                violation("unknown producer " + producer);
            } else if (seq <= last[producer]) {
                violation("producer " + producer + ": " + seq + " after " + last[producer]);
            } else if (runs != 1) {
                violation("packet " + seq + " processed " + runs + " times");
            } else if (rounds > 0 && TestPackets.tag(mem, bi) != TestPackets.checksum(mem, bi, key, rounds)) {
                violation("packet " + seq + ": wrong checksum");
            } else {
                last[producer] = seq;
                if (thread >= 0 && thread < perThread.length) {
                    perThread[thread]++;
                }
            }
            ctx.drop(bi, Errors.CHECKED);
        }
        received += n;
    }

    private void violation(String what) {
        if (firstViolation == null) {
            firstViolation = what;
        }
    }
}
