package dev.cipherlane.stages.graph;

/**
 * Where the graph keeps a stage. Workers read the slot once per frame, so publishing a new
 * instance here takes effect at every worker's next frame boundary and no frame sees two
 * versions of a stage.
 */
public final class StageSlot {
    private final int index;
    private volatile Stage<?> stage;
    /** Per next arc, the index of the slot it leads to. */
    final int[] targets;

    StageSlot(int index, Stage<?> stage, int[] targets) {
        this.index = index;
        this.stage = stage;
        this.targets = targets;
    }

    public int index() {
        return index;
    }

    public Stage<?> stage() {
        return stage;
    }

    /** Publishes {@code replacement}; it must declare the same arcs and errors. */
    public Stage<?> publish(Stage<?> replacement) {
        Stage<?> old = stage;
        if (!old.spec().equals(replacement.spec())) {
            throw new IllegalArgumentException("replacement for " + old.name()
                    + " declares " + replacement.spec() + ", expected " + old.spec());
        }
        stage = replacement;
        return old;
    }
}
