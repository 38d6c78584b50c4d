package dev.cipherlane.ipsec.parallel;

import dev.cipherlane.stages.buffer.PacketMemory;
import dev.cipherlane.stages.graph.InputStage;
import dev.cipherlane.stages.graph.NextArc;
import dev.cipherlane.stages.graph.StageContext;
import dev.cipherlane.stages.graph.StageError;
import dev.cipherlane.stages.graph.StageSpec;
import java.util.List;

/**
 * The consuming end of a {@link ParallelRing}: polled like any input on one worker, it takes
 * completed batches in ring order and sends packets that passed their job on through
 * {@code next}. A packet whose job returned reason code r (1 up) is dropped under the r-th
 * of the reason names given at construction, so a decrypt job's "integrity check failed"
 * shows up under that name in {@code show errors}; a job that threw, or returned a code
 * with no name, counts as {@value #JOB_FAILED_ERROR}.
 *
 * <p>A ring has one consumer, so only the worker named in the parameters polls it.
 */
public final class ParallelComplete<E> extends InputStage<ParallelComplete.Params<E>> {
    public static final String NAME = "parallel-complete";

    public static final String JOB_FAILED_ERROR = "parallel job failed";

    /** Next arcs, in index order. */
    public enum Arcs implements NextArc { NEXT }

    /** This stage's own error, index 0; reason code r of a job is error index r, named by the job. */
    public enum Errors implements StageError {
        JOB_FAILED(JOB_FAILED_ERROR);

        private final String reason;

        Errors(String reason) {
            this.reason = reason;
        }

        @Override
        public String reason() {
            return reason;
        }
    }

    /**
     * @param ring   the ring to drain
     * @param worker index of the one worker that drains it
     */
    public record Params<E>(ParallelRing<E> ring, int worker) {}

    private final int reasons;
    private final ParallelRing.Completion<StageContext, E> toNext;

    /** @param reasons names of the job's reason codes 1, 2, ... in order */
    public ParallelComplete(String name, List<String> reasons, Params<E> params) {
        super(spec(name, reasons), params);
        this.reasons = reasons.size();
        int named = this.reasons;
        this.toNext = (ctx, job, bis, results, n) -> {
            for (int i = 0; i < n; i++) {
                int r = results[i];
                if (r == PacketJob.PASS) {
                    ctx.enqueue(Arcs.NEXT, bis[i]);
                } else {
                    ctx.drop(bis[i], r >= 1 && r <= named ? r : Errors.JOB_FAILED.ordinal());
                }
            }
        };
    }

    public static StageSpec spec(String name, List<String> reasons) {
        return StageSpec.of(name, Arcs.class, Errors.class).followedBy(reasons);
    }

    @Override
    protected Params<E> validate(Params<E> p) {
        if (p == null || p.ring() == null) {
            throw new IllegalArgumentException(name() + ": a ring is required");
        }
        if (p.worker() < 0) {
            throw new IllegalArgumentException(name() + ": worker must be >= 0, got " + p.worker());
        }
        return p;
    }

    /** Names of the job's reason codes. */
    public int reasons() {
        return reasons;
    }

    @Override
    public int poll(StageContext ctx, int budget) {
        Params<E> p = params();
        if (ctx.worker() != p.worker()) {
            return 0;
        }
        return p.ring().poll(toNext, ctx, budget);
    }

    @Override
    public String formatTrace(PacketMemory mem, int bi) {
        return "from " + params().ring().name();
    }
}
