package dev.cipherlane.testbed;

import java.io.IOException;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * Waiting for a condition in a lab: polled, with a limit that only keeps a broken node from
 * hanging a test or the demo. Limits are far above what a working setup needs; they are never
 * a measurement.
 */
public final class Poll {
    private static final long INTERVAL_MS = 100;

    private Poll() {}

    /** A condition that may fail outright (a process died) rather than just not hold yet. */
    @FunctionalInterface
    public interface Condition {
        boolean holds() throws Exception;
    }

    /**
     * Polls {@code condition} until it holds; past {@code limit} throws an {@link IOException}
     * naming {@code what} and carrying {@code details}.
     */
    public static void until(String what, Duration limit, Condition condition, Supplier<String> details)
            throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.holds()) {
            if (System.nanoTime() - deadline > 0) {
                throw new IOException("not within " + limit.toSeconds() + " s: " + what + "\n" + details.get());
            }
            Thread.sleep(INTERVAL_MS);
        }
    }
}
