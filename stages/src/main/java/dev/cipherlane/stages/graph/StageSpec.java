package dev.cipherlane.stages.graph;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;

/**
 * What a stage declares about itself: its name in the graph, its named next arcs (indices
 * are positions in {@code nextArcs}) and its named error counters (indices are positions
 * in {@code errors}). A replacement for a stage must declare the same arcs.
 *
 * <p>Stages build their spec with {@link #of} from the enums that declare their arcs
 * ({@link NextArc}) and errors ({@link StageError}), so an index is always its name's
 * position. Names must be non-blank and distinct within a stage.
 */
public record StageSpec(String name, List<String> nextArcs, List<String> errors) {
    public StageSpec {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("stage name must not be blank");
        }
        nextArcs = List.copyOf(nextArcs);
        errors = List.copyOf(errors);
        requireDistinct(name, "next arc", nextArcs);
        requireDistinct(name, "error", errors);
        if (errors.contains(NodeCounters.EXCEPTION)) {
            throw new IllegalArgumentException(name + ": error '" + NodeCounters.EXCEPTION
                    + "' is the runtime's, counted for every stage that throws");
        }
    }

    /**
     * The spec of stage {@code name} whose next arcs are the constants of {@code arcs} and
     * whose errors are the constants of the {@code errors} enums one after the other: the
     * first enum's constants at their ordinals, each further enum's after the previous ones
     * (a stage that reports a shared set of codes, such as {@code VirtioNetMetadata}'s,
     * after its own adds that enum's size of the ones before to a code).
     */
    @SafeVarargs
    public static StageSpec of(String name, Class<? extends NextArc> arcs, Class<? extends StageError>... errors) {
        List<String> arcNames = new ArrayList<>();
        for (NextArc a : constants(arcs)) {
            arcNames.add(a.arcName());
        }
        List<String> reasons = new ArrayList<>();
        for (Class<? extends StageError> group : errors) {
            for (StageError e : constants(group)) {
                reasons.add(e.reason());
            }
        }
        return new StageSpec(name, arcNames, reasons);
    }

    /** The same arcs and errors under another name, for a stage that runs several times in a graph. */
    public StageSpec named(String otherName) {
        return new StageSpec(otherName, nextArcs, errors);
    }

    /**
     * The same errors with {@code arcs} as next arcs, for a stage whose arcs its parameters
     * name ({@code interface-output}: one per output stage, in the order given).
     */
    public StageSpec withArcs(List<String> arcs) {
        return new StageSpec(name, arcs, errors);
    }

    /**
     * These errors followed by {@code more}, for a stage that counts another stage's errors
     * after its own (their indices are then this spec's error count plus the other's).
     */
    public StageSpec followedBy(List<String> more) {
        List<String> all = new ArrayList<>(errors);
        all.addAll(more);
        return new StageSpec(name, nextArcs, all);
    }

    public int arc(String arcName) {
        int i = nextArcs.indexOf(arcName);
        if (i < 0) {
            throw new IllegalArgumentException(name + " has no next arc '" + arcName + "'; arcs: " + nextArcs);
        }
        return i;
    }

    private static <T> T[] constants(Class<T> declaration) {
        T[] constants = declaration.getEnumConstants();
        if (constants == null) {
            throw new IllegalArgumentException(declaration.getName() + " is not an enum");
        }
        return constants;
    }

    private static void requireDistinct(String stage, String what, List<String> names) {
        var seen = new HashSet<String>();
        for (String n : names) {
            if (n == null || n.isBlank()) {
                throw new IllegalArgumentException(stage + ": blank " + what + " name in " + names);
            }
            if (!seen.add(n)) {
                throw new IllegalArgumentException(stage + ": duplicate " + what + " '" + n + "' in " + names);
            }
        }
    }
}
