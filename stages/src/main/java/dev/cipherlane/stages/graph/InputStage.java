package dev.cipherlane.stages.graph;

/**
 * A stage that produces packets: the runtime polls it before dispatching. Frames injected
 * into an input stage (from a handoff ring or a test) leave by its first arc, as if they had
 * been polled.
 */
public abstract class InputStage<P> extends Stage<P> {
    protected InputStage(StageSpec spec, P params) {
        super(spec, params);
    }

    /**
     * Produce at most {@code budget} packets into the graph through {@code ctx.enqueue}.
     * Returns how many were produced; 0 tells the worker it may idle.
     */
    public abstract int poll(StageContext ctx, int budget);

    @Override
    public void process(Frame frame, StageContext ctx) {
        int n = frame.count();
        for (int i = 0; i < n; i++) {
            ctx.enqueue(0, frame.get(i));
        }
    }
}
