package dev.cipherlane.stages.builtin;

import dev.cipherlane.stages.graph.Frame;
import dev.cipherlane.stages.graph.NextArc;
import dev.cipherlane.stages.graph.Stage;
import dev.cipherlane.stages.graph.StageContext;
import dev.cipherlane.stages.graph.StageError;
import dev.cipherlane.stages.graph.StageSpec;

/**
 * The end of arcs that mean "discard": frees every packet and counts it. Stages that know
 * why they drop call {@link StageContext#drop} with their own reason instead; this stage is
 * for wiring (an arc that must lead somewhere, like VPP's error-drop).
 */
public final class Drop extends Stage<Stage.NoParams> {
    public static final String NAME = "drop";
    /** Errors, in index order, with the reasons {@code show errors} prints. */
    public enum Errors implements StageError {
        DROPPED("dropped");

        private final String reason;

        Errors(String reason) {
            this.reason = reason;
        }

        @Override
        public String reason() {
            return reason;
        }
    }

    public Drop() {
        super(StageSpec.of(NAME, NextArc.None.class, Errors.class), NoParams.INSTANCE);
    }

    @Override
    public void process(Frame frame, StageContext ctx) {
        int n = frame.count();
        for (int i = 0; i < n; i++) {
            ctx.drop(frame.get(i), Errors.DROPPED);
        }
    }
}
