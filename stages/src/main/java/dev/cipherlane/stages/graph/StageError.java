package dev.cipherlane.stages.graph;

/**
 * One error counter of a stage. A stage declares its errors once, as the constants of an
 * enum implementing this interface (VPP's {@code foreach_..._error}): a constant's position
 * is the index the stage passes to {@link StageContext#drop} and {@link StageContext#count},
 * its {@link #reason} what {@code show errors} prints, so the two cannot drift apart.
 */
public interface StageError {
    /** The error's index: the constant's position in its enum. */
    int ordinal();

    /** The reason operators read in {@code show errors}; distinct within a stage. */
    String reason();
}
