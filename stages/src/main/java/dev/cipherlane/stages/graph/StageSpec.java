package dev.cipherlane.stages.graph;

import java.util.List;

/**
 * What a stage declares about itself: its name in the graph, its named next arcs (indices
 * are positions in {@code nextArcs}) and its named error counters (indices are positions
 * in {@code errors}). A replacement for a stage must declare the same arcs.
 */
public record StageSpec(String name, List<String> nextArcs, List<String> errors) {
    public StageSpec {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("stage name must not be blank");
        }
        nextArcs = List.copyOf(nextArcs);
        errors = List.copyOf(errors);
        if (nextArcs.stream().distinct().count() != nextArcs.size()) {
            throw new IllegalArgumentException(name + ": duplicate next arc in " + nextArcs);
        }
    }

    public int arc(String arcName) {
        int i = nextArcs.indexOf(arcName);
        if (i < 0) {
            throw new IllegalArgumentException(name + " has no next arc '" + arcName + "'; arcs: " + nextArcs);
        }
        return i;
    }
}
