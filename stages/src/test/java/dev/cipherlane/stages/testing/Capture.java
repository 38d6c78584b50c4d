package dev.cipherlane.stages.testing;

import dev.cipherlane.stages.graph.Frame;
import dev.cipherlane.stages.graph.NextArc;
import dev.cipherlane.stages.graph.Stage;
import dev.cipherlane.stages.graph.StageContext;
import dev.cipherlane.stages.graph.StageSpec;
import java.util.ArrayList;
import java.util.List;

/** Test sink: keeps every packet it gets, in order, until the harness frees them. */
public final class Capture extends Stage<Stage.NoParams> {
    private final List<Integer> packets = new ArrayList<>();

    public Capture(String name) {
        super(StageSpec.of(name, NextArc.None.class), NoParams.INSTANCE);
    }

    @Override
    public synchronized void process(Frame frame, StageContext ctx) {
        for (int i = 0; i < frame.count(); i++) {
            packets.add(frame.get(i));
            ctx.keep(frame.get(i));
        }
    }

    public synchronized List<Integer> packets() {
        return List.copyOf(packets);
    }

    synchronized List<Integer> drain() {
        List<Integer> out = new ArrayList<>(packets);
        packets.clear();
        return out;
    }
}
