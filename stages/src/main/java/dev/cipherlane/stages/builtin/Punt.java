package dev.cipherlane.stages.builtin;

import dev.cipherlane.stages.graph.Frame;
import dev.cipherlane.stages.graph.Stage;
import dev.cipherlane.stages.graph.StageContext;
import dev.cipherlane.stages.graph.StageSpec;
import java.util.List;

/** Hands packets the dataplane does not handle (IKE, ARP for the host) to the control plane. */
public final class Punt extends Stage<Punt.Params> {
    public static final String NAME = "punt";
    public static final int QUEUE_FULL = 0;

    /** @param queue where packets go; replaced in place by reconfig when the consumer changes */
    public record Params(PuntQueue queue) {}

    public Punt(PuntQueue queue) {
        super(new StageSpec(NAME, List.of(), List.of("punt queue full")), new Params(queue));
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
            if (!q.offer(bi)) {
                ctx.drop(bi, QUEUE_FULL);
            }
        }
    }
}
