package dev.cipherlane.stages.swap;

import java.time.Duration;

/**
 * A swap that happened: {@code stage} runs {@code to} instead of {@code from}. {@code closed}
 * says whether the old instance is closed already (every worker passed the swap point within
 * the wait, {@code waited}); if not, it is closed as soon as they have.
 */
public record Swapped(String stage, Installed from, Installed to, boolean closed, Duration waited) {
    public String describe() {
        return stage + ": " + from + " -> " + to + "; "
                + (closed ? "old instance closed after every worker passed the swap point ("
                        + waited.toNanos() / 1000 + " us)"
                        : "a worker is still in the round it was in after " + waited.toMillis()
                                + " ms: the old instance is closed once it has left it");
    }
}
