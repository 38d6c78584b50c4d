package dev.cipherlane.stages.graph;

/**
 * One worker's counters for one stage: runtime ({@code show runtime}) and drops per error
 * reason ({@code show errors}). Written by the owning worker only; read by others for
 * reports, where a slightly stale value is fine.
 */
public final class NodeCounters {
    long calls;
    long vectors;
    long packets;
    long nanos;
    final long[] errors;

    NodeCounters(int errorCount) {
        errors = new long[errorCount];
    }

    public long calls() { return calls; }
    public long vectors() { return vectors; }
    public long packets() { return packets; }
    public long nanos() { return nanos; }
    public long error(int i) { return errors[i]; }
    public int errorCount() { return errors.length; }
}
