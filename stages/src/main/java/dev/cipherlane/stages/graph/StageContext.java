package dev.cipherlane.stages.graph;

import dev.cipherlane.stages.buffer.BufferCache;
import dev.cipherlane.stages.buffer.PacketMemory;

/** What a stage may do with packets while it runs on one worker. */
public interface StageContext {
    /** Passes the packet to the stage behind next arc {@code arc}. */
    void enqueue(int arc, int bi);

    /** Drops the packet, counting it under this stage's error {@code error}, and frees it. */
    void drop(int bi, int error);

    /** Counts {@code n} events under error {@code error} without dropping anything. */
    void count(int error, long n);

    /**
     * The stage keeps the packet beyond this call, or hands it to another thread, instead of
     * passing it on or dropping it. Call it before the hand-over is published: from then on
     * the packet is not the stage's, and a fault in the stage must not free it.
     */
    void keep(int bi);

    /** Passes the packet on through {@code arc}, this stage's arc at {@code arc.ordinal()}. */
    default void enqueue(NextArc arc, int bi) {
        enqueue(arc.ordinal(), bi);
    }

    /** Drops the packet under {@code error}, this stage's error at {@code error.ordinal()}. */
    default void drop(int bi, StageError error) {
        drop(bi, error.ordinal());
    }

    /** Counts {@code n} events under {@code error} without dropping anything. */
    default void count(StageError error, long n) {
        count(error.ordinal(), n);
    }

    PacketMemory memory();

    /** This worker's buffer cache, for stages that allocate (ICMP errors, segmentation). */
    BufferCache buffers();

    /** Index of the worker running the stage. */
    int worker();

    /** Time of the current dispatch round, System.nanoTime() based. */
    long now();
}
