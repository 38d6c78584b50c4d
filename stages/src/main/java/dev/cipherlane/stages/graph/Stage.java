package dev.cipherlane.stages.graph;

import dev.cipherlane.stages.buffer.PacketMemory;

/**
 * One per-packet step. A stage gets a frame, and for each packet either passes it on
 * through one of its next arcs ({@link StageContext#enqueue}) or drops it under one of its
 * named errors ({@link StageContext#drop}). Every packet of the frame must leave by one of
 * the two: the frame is recycled when {@code process} returns.
 *
 * <p>One instance serves every worker, so {@code process} must be safe to run on several
 * threads at once; per-worker counters live in the runtime, not in the stage.
 *
 * @param <P> the stage's typed parameters (a record), changed in place by {@link #reconfig}
 */
public abstract class Stage<P> {
    private final StageSpec spec;
    private volatile P params;

    // validate() is meant to be overridden and reads nothing but its argument.
    @SuppressWarnings("this-escape")
    protected Stage(StageSpec spec, P params) {
        this.spec = spec;
        this.params = validate(params);
    }

    public final StageSpec spec() {
        return spec;
    }

    public final String name() {
        return spec.name();
    }

    public final P params() {
        return params;
    }

    /** Process every packet of {@code frame}. */
    public abstract void process(Frame frame, StageContext ctx);

    /**
     * Changes parameters in place. Workers see the new value from their next frame on
     * (one volatile read per frame). Invalid parameters throw and leave the old ones.
     */
    public final void reconfig(P newParams) {
        P valid = validate(newParams);
        P old = params;
        params = valid;
        reconfigured(old, valid);
    }

    /** Checks parameters; returns them (possibly normalised) or throws IllegalArgumentException. */
    protected P validate(P p) {
        if (p == null) {
            throw new IllegalArgumentException(spec.name() + ": parameters must not be null");
        }
        return p;
    }

    /** Hook run after {@link #reconfig} stored new parameters. */
    protected void reconfigured(P old, P neu) {}

    /**
     * What this stage saw of a traced packet, one short line; null to say nothing beyond
     * the stage name. Called only for traced packets, so it may allocate.
     */
    public String formatTrace(PacketMemory mem, int bi) {
        return null;
    }

    /**
     * {@code process} threw on this worker: release what it holds for the frame it was in
     * (packets it kept aside to pass on before returning), so they are freed rather than
     * leaked. The runtime then drops the frame's packets the stage never passed on.
     */
    public void aborted(StageContext ctx) {}

    /**
     * Hot swap: called on this new instance before it replaces {@code predecessor} in its slot,
     * to take over state the predecessor holds itself (a stage's per-worker counters live in
     * the runtime and its tables in its parameters, so most stages hold none). Both instances
     * run side by side until every worker has passed the swap point, so state is shared, not
     * copied: what is taken over must already be safe to use from several workers. The
     * predecessor may be another implementation, loaded by another class loader; take only
     * what is recognised. Throwing refuses the swap, and the predecessor stays.
     */
    public void takeOver(Stage<?> predecessor) {}

    /** Releases resources once no worker runs this instance any more. */
    public void close() {}

    /** Parameters of stages that have none. */
    public record NoParams() {
        public static final NoParams INSTANCE = new NoParams();
    }
}
