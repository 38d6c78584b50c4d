package dev.cipherlane.ipsec.parallel;

import dev.cipherlane.stages.buffer.PacketFlags;
import dev.cipherlane.stages.buffer.PacketMemory;
import dev.cipherlane.stages.graph.Frame;
import dev.cipherlane.stages.graph.NextArc;
import dev.cipherlane.stages.graph.Stage;
import dev.cipherlane.stages.graph.StageContext;
import dev.cipherlane.stages.graph.StageError;
import dev.cipherlane.stages.graph.StageSpec;

/**
 * Hands each frame to a {@link ParallelRing} as one batch for {@code job}; a
 * {@link ParallelComplete} on the consuming worker picks the packets up again in order.
 * A full ring drops the whole frame as {@value #RING_FULL_ERROR}; the stage never waits.
 * It has no next arcs: a packet leaves into the ring or as a drop.
 *
 * <p>As with {@code handoff}, the trace mark is cleared: the packet's trace record lives on
 * this worker, and the consumer numbers its records on its own.
 */
public final class ParallelSubmit<E> extends Stage<ParallelSubmit.Params<E>> {
    public static final String NAME = "parallel-submit";

    /** Errors, in index order, with the reasons {@code show errors} prints. */
    public enum Errors implements StageError {
        RING_FULL("parallel ring full");

        private final String reason;

        Errors(String reason) {
            this.reason = reason;
        }

        @Override
        public String reason() {
            return reason;
        }
    }

    public static final String RING_FULL_ERROR = "parallel ring full";

    /** The ring to submit to and the job its crypto threads run on every packet. */
    public record Params<E>(ParallelRing<E> ring, PacketJob<E> job) {}

    public ParallelSubmit(String name, Params<E> params) {
        super(spec(name), params);
    }

    public static StageSpec spec(String name) {
        return StageSpec.of(name, NextArc.None.class, Errors.class);
    }

    @Override
    protected Params<E> validate(Params<E> p) {
        if (p == null || p.ring() == null || p.job() == null) {
            throw new IllegalArgumentException(name() + ": a ring and a job are required");
        }
        return p;
    }

    @Override
    public void process(Frame frame, StageContext ctx) {
        Params<E> p = params();
        PacketMemory mem = ctx.memory();
        int n = frame.count();
        int[] bis = frame.buffers();
        for (int i = 0; i < n; i++) {
            int bi = bis[i];
            int flags = mem.flags(bi);
            if ((flags & PacketFlags.TRACED) != 0) {
                mem.flags(bi, flags & ~PacketFlags.TRACED);
                mem.trace(bi, -1);
            }
            // The crypto thread owns them once offered, even if this stage throws later.
            ctx.keep(bi);
        }
        if (n > 0 && !p.ring().offer(bis, 0, n, p.job())) {
            for (int i = 0; i < n; i++) {
                ctx.drop(bis[i], Errors.RING_FULL);
            }
        }
    }

    @Override
    public String formatTrace(PacketMemory mem, int bi) {
        return "to " + params().ring().name();
    }
}
