package dev.cipherlane.stages.builtin;

/**
 * Where punted packets go: the control plane's side of the punt path. An implementation
 * must not block; refusing a packet (full) makes the punt stage drop and count it.
 */
public interface PuntQueue {
    /** Takes ownership of buffer {@code bi}, or returns false and leaves it with the caller. */
    boolean offer(int bi);
}
