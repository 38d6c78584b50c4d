package dev.cipherlane.stages.graph;

import java.util.List;

/** Operator-readable {@code show runtime} and {@code show errors}, summed over workers. */
public final class RuntimeReport {
    private RuntimeReport() {}

    public static String runtime(List<GraphRuntime> workers) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("%-24s %12s %12s %14s %10s %10s%n",
                "Stage", "Calls", "Vectors", "Packets", "Pkts/Vec", "ns/Pkt"));
        if (workers.isEmpty()) {
            return sb.toString();
        }
        Graph g = workers.get(0).graph();
        for (StageSlot slot : g.slots()) {
            long calls = 0, vectors = 0, packets = 0, nanos = 0;
            for (GraphRuntime w : workers) {
                NodeCounters c = w.counters(slot.index());
                calls += c.calls;
                vectors += c.vectors;
                packets += c.packets;
                nanos += c.nanos;
            }
            if (calls == 0) {
                continue;
            }
            sb.append(String.format("%-24s %12d %12d %14d %10.1f %10.1f%n",
                    slot.stage().name(), calls, vectors, packets,
                    vectors == 0 ? 0.0 : (double) packets / vectors,
                    packets == 0 || vectors == 0 ? 0.0 : (double) nanos / packets));
        }
        return sb.toString();
    }

    public static String errors(List<GraphRuntime> workers) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("%14s  %-24s %s%n", "Count", "Stage", "Reason"));
        if (workers.isEmpty()) {
            return sb.toString();
        }
        Graph g = workers.get(0).graph();
        for (StageSlot slot : g.slots()) {
            List<String> reasons = slot.stage().spec().errors();
            for (int e = 0; e < reasons.size(); e++) {
                long n = errorCount(workers, slot.index(), e);
                if (n != 0) {
                    sb.append(String.format("%14d  %-24s %s%n", n, slot.stage().name(), reasons.get(e)));
                }
            }
            long exceptions = exceptionCount(workers, slot.index());
            if (exceptions != 0) {
                sb.append(String.format("%14d  %-24s %s%n", exceptions, slot.stage().name(), NodeCounters.EXCEPTION));
            }
        }
        return sb.toString();
    }

    /** Sum of error {@code reason} of stage {@code name} over workers. */
    public static long errorCount(List<GraphRuntime> workers, String name, String reason) {
        if (workers.isEmpty()) {
            return 0;
        }
        StageSlot slot = workers.get(0).graph().slot(name);
        int e = slot.stage().spec().errors().indexOf(reason);
        if (e < 0 && reason.equals(NodeCounters.EXCEPTION)) {
            return exceptionCount(workers, slot.index());
        }
        if (e < 0) {
            throw new IllegalArgumentException(name + " has no error '" + reason + "'");
        }
        return errorCount(workers, slot.index(), e);
    }

    private static long exceptionCount(List<GraphRuntime> workers, int slot) {
        long n = 0;
        for (GraphRuntime w : workers) {
            n += w.counters(slot).exceptions;
        }
        return n;
    }

    private static long errorCount(List<GraphRuntime> workers, int slot, int e) {
        long n = 0;
        for (GraphRuntime w : workers) {
            n += w.counters(slot).errors[e];
        }
        return n;
    }
}
