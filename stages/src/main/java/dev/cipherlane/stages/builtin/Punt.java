package dev.cipherlane.stages.builtin;

import dev.cipherlane.stages.graph.Frame;
import dev.cipherlane.stages.graph.NextArc;
import dev.cipherlane.stages.graph.Stage;
import dev.cipherlane.stages.graph.StageContext;
import dev.cipherlane.stages.graph.StageError;
import dev.cipherlane.stages.graph.StageSpec;

/** Hands packets the dataplane does not handle (IKE, ARP for the host) to the control plane. */
public final class Punt extends Stage<Punt.Params> {
    public static final String NAME = "punt";
    /** Errors, in index order, with the reasons {@code show errors} prints. */
    public enum Errors implements StageError {
        QUEUE_FULL("punt queue full");

        private final String reason;

        Errors(String reason) {
            this.reason = reason;
        }

        @Override
        public String reason() {
            return reason;
        }
    }

    /** @param queue where packets go; replaced in place by reconfig when the consumer changes */
    public record Params(PuntQueue queue) {}

    public Punt(PuntQueue queue) {
        super(StageSpec.of(NAME, NextArc.None.class, Errors.class), new Params(queue));
    }

    @Override
    protected Params validate(Params p) {
        if (p == null || p.queue() == null) {
            throw new IllegalArgumentException(NAME + ": a punt queue is required");
        }
        return p;
    }

    @Override
    public void process(Frame frame, StageContext ctx) {
        PuntQueue q = params().queue();
        int n = frame.count();
        for (int i = 0; i < n; i++) {
            int bi = frame.get(i);
            // The control thread owns it once offered, even if this stage throws later.
            ctx.keep(bi);
            if (!q.offer(bi)) {
                ctx.drop(bi, Errors.QUEUE_FULL);
            }
        }
    }
}
