package dev.cipherlane.chaos;

import java.lang.foreign.MemorySegment;

/**
 * Sees every frame the {@link ImpairmentRelay} reads from a wire, before that direction's
 * impairment acts on it: a capture point inside the wire, for tests that check what nodes put
 * on it (which outer addresses a tunnel uses, say). Runs on the relay thread, so it must be
 * quick and must not keep {@code frame}, which is reused for the next one.
 */
@FunctionalInterface
public interface FrameObserver {
    /** Frame {@code frame[0, length)}, Ethernet header first, going {@code direction}. */
    void frame(Direction direction, MemorySegment frame, int length);
}
