package dev.cipherlane.supervisor.admin.views;

import dev.cipherlane.stages.graph.Graph;
import dev.cipherlane.stages.graph.GraphRuntime;
import dev.cipherlane.stages.graph.NodeCounters;
import dev.cipherlane.stages.graph.StageSlot;
import java.util.ArrayList;
import java.util.List;

/**
 * Each stage's counters summed over workers, in graph order: what {@code show runtime},
 * {@code show errors} and /metrics are drawn from. Read without stopping the workers, as
 * VPP's {@code show runtime} does: each number is a plain read of a counter only its worker
 * writes, so a total may be a frame behind, never torn.
 */
public record StageTotals(List<Stage> stages) {

    /** The runtime's own reason for a packet whose stage threw ({@link NodeCounters#EXCEPTION}). */
    public static final String EXCEPTION = NodeCounters.EXCEPTION;

    /** @param errors every reason the stage declares, then {@link #EXCEPTION}, zero counts included */
    public record Stage(String name, long calls, long vectors, long packets, long nanos, List<Reason> errors) {}

    public record Reason(String reason, long count) {}

    public static StageTotals of(List<GraphRuntime> workers) {
        List<Stage> stages = new ArrayList<>();
        if (workers.isEmpty()) {
            return new StageTotals(List.of());
        }
        Graph g = workers.getFirst().graph();
        for (StageSlot slot : g.slots()) {
            List<String> reasons = slot.stage().spec().errors();
            long calls = 0, vectors = 0, packets = 0, nanos = 0, exceptions = 0;
            long[] errors = new long[reasons.size()];
            for (GraphRuntime w : workers) {
                NodeCounters c = w.counters(slot.index());
                calls += c.calls();
                vectors += c.vectors();
                packets += c.packets();
                nanos += c.nanos();
                exceptions += c.exceptions();
                for (int e = 0; e < errors.length; e++) {
                    errors[e] += c.error(e);
                }
            }
            List<Reason> counts = new ArrayList<>(errors.length + 1);
            for (int e = 0; e < errors.length; e++) {
                counts.add(new Reason(reasons.get(e), errors[e]));
            }
            counts.add(new Reason(EXCEPTION, exceptions));
            stages.add(new Stage(slot.stage().name(), calls, vectors, packets, nanos, List.copyOf(counts)));
        }
        return new StageTotals(List.copyOf(stages));
    }
}
