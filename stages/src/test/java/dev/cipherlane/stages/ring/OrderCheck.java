package dev.cipherlane.stages.ring;

import dev.cipherlane.stages.buffer.Net;
import dev.cipherlane.stages.buffer.PacketMemory;
import dev.cipherlane.stages.graph.Frame;
import dev.cipherlane.stages.graph.NextArc;
import dev.cipherlane.stages.graph.Stage;
import dev.cipherlane.stages.graph.StageContext;
import dev.cipherlane.stages.graph.StageError;
import dev.cipherlane.stages.graph.StageSpec;

/**
 * Test sink for {@link NumberedSource} packets: every producer's sequence numbers must
 * arrive as 0, 1, 2, ... with no gap, repeat or swap. It records the first violation
 * instead of throwing (a throw would only kill the worker thread), counts, and frees every
 * packet as "checked". Runs on one worker only.
 */
final class OrderCheck extends Stage<Stage.NoParams> {
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

    private final long[] expected;
    private volatile long received;
    private volatile String firstViolation;

    OrderCheck(String name, int producers) {
        super(StageSpec.of(name, NextArc.None.class, Errors.class), NoParams.INSTANCE);
        expected = new long[producers];
    }

    long received() {
        return received;
    }

    /** The sequence number next expected from {@code producer}; read once the worker has stopped. */
    long nextExpected(int producer) {
        return expected[producer];
    }

    String firstViolation() {
        return firstViolation;
    }

    @Override
    public void process(Frame frame, StageContext ctx) {
        PacketMemory mem = ctx.memory();
        int n = frame.count();
        for (int i = 0; i < n; i++) {
            int bi = frame.get(i);
            int producer = mem.u32(bi, NumberedSource.PRODUCER);
            long seq = mem.data().get(Net.U64, mem.start(bi) + NumberedSource.SEQUENCE);
            if (producer < 0 || producer >= expected.length) {
                violation("unknown producer " + producer);
            } else {
                if (seq != expected[producer]) {
                    violation("producer " + producer + ": expected " + expected[producer] + ", got " + seq);
                }
                expected[producer] = seq + 1;
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
