package dev.cipherlane.stages.graph;

/**
 * One worker's counters for one stage: runtime ({@code show runtime}) and drops per error
 * reason ({@code show errors}). Written by the owning worker only; read by others for
 * reports, where a slightly stale value is fine.
 */
public final class NodeCounters {
    /**
     * The reason packets are counted under when the stage threw on them; the runtime, not the
     * stage, owns it, so every stage has it after its declared errors.
     */
    public static final String EXCEPTION = "exception";

    long calls;
    long vectors;
    long packets;
    long nanos;
    final long[] errors;
    long exceptions;

    NodeCounters(int errorCount) {
        errors = new long[errorCount];
    }

    public long calls() { return calls; }
    public long vectors() { return vectors; }
    public long packets() { return packets; }
    public long nanos() { return nanos; }
    public long error(int i) { return errors[i]; }
    /** Packets dropped, and polls failed, because the stage threw. */
    public long exceptions() { return exceptions; }
    public int errorCount() { return errors.length; }
}
