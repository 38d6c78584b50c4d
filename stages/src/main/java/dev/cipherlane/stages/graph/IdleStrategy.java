package dev.cipherlane.stages.graph;

/** What a worker does between rounds of its graph. */
public interface IdleStrategy {
    /** Called after every round with the packets its inputs produced; may sleep when 0. */
    void idle(int work);

    /** Ends a sleep early: another thread handed this worker work, or asks it to stop. */
    default void wakeUp() {}
}
