package dev.cipherlane.stages.graph;

import java.util.Locale;

/**
 * One next arc of a stage. A stage declares its arcs once, as the constants of an enum
 * implementing this interface (VPP's {@code foreach_..._next}): a constant's position is the
 * index the stage passes to {@link StageContext#enqueue}, its {@link #arcName} the name the
 * graph connects ({@link Graph.Builder#connect}), so the two cannot drift apart.
 */
public interface NextArc {
    /** The arc's index: the constant's position in its enum. */
    int ordinal();

    /** The enum constant's name. */
    String name();

    /**
     * The arc's name in the graph: the constant's name in lower case with '-' for '_'
     * ({@code ICMP_ERROR} is {@code icmp-error}).
     */
    default String arcName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The arcs of a stage that passes nothing on: outputs and sinks. */
    enum None implements NextArc {}
}
