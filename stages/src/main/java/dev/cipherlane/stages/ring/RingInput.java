package dev.cipherlane.stages.ring;

import dev.cipherlane.stages.buffer.PacketMemory;
import dev.cipherlane.stages.graph.InputStage;
import dev.cipherlane.stages.graph.NextArc;
import dev.cipherlane.stages.graph.StageContext;
import dev.cipherlane.stages.graph.StageSpec;

/**
 * The receiving end of a {@link FrameRing}: polled like any input, it takes the packets
 * other workers handed off and passes them on through {@code next} in ring order, so the
 * order each producer offered them in survives.
 *
 * <p>A ring has one consumer, so only the worker named in the parameters drains it; on
 * every other worker running the same graph this stage produces nothing. The budget is a
 * hint: slots are taken whole, so a poll may pass it by less than one frame rather than
 * leave half a slot behind.
 */
public final class RingInput extends InputStage<RingInput.Params> {
    public static final String NAME = "ring-input";

    /** Next arcs, in index order. */
    public enum Arcs implements NextArc { NEXT }

    /**
     * @param ring   the ring to drain
     * @param worker index of the one worker that drains it
     */
    public record Params(FrameRing ring, int worker) {}

    /** Enqueues a slot's packets on {@code next}; stateless, so one instance serves all. */
    private static final FrameRing.Drain<StageContext> TO_NEXT = (ctx, bis, off, n) -> {
        for (int i = 0; i < n; i++) {
            ctx.enqueue(Arcs.NEXT, bis[off + i]);
        }
    };

    public RingInput(String name, Params params) {
        super(spec(name), params);
    }

    public RingInput(Params params) {
        this(NAME, params);
    }

    public static StageSpec spec(String name) {
        return StageSpec.of(name, Arcs.class);
    }

    @Override
    protected Params validate(Params p) {
        if (p == null || p.ring() == null) {
            throw new IllegalArgumentException(name() + ": a ring is required");
        }
        if (p.worker() < 0) {
            throw new IllegalArgumentException(name() + ": worker must be >= 0, got " + p.worker());
        }
        return p;
    }

    @Override
    public int poll(StageContext ctx, int budget) {
        Params p = params();
        if (ctx.worker() != p.worker()) {
            return 0;
        }
        return p.ring().poll(TO_NEXT, ctx, budget);
    }

    @Override
    public String formatTrace(PacketMemory mem, int bi) {
        return "from " + params().ring().name();
    }
}
