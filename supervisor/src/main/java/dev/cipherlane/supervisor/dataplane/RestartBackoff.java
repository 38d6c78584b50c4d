package dev.cipherlane.supervisor.dataplane;

import java.time.Duration;

/**
 * How long a dead worker waits before it runs again: {@link #FIRST} after a death that
 * follows a quiet spell of {@link #QUIET} or more, then twice as long for each death in quick
 * succession, up to {@link #LONGEST}. A worker that keeps dying on the traffic it gets is
 * restarted rarely enough to leave the CPU and the log to the others.
 */
final class RestartBackoff {
    static final Duration FIRST = Duration.ofMillis(100);
    static final Duration LONGEST = Duration.ofSeconds(10);
    static final Duration QUIET = Duration.ofMinutes(1);

    private final long[] lastDeath;
    private final Duration[] last;

    RestartBackoff(int workers) {
        lastDeath = new long[workers];
        last = new Duration[workers];
    }

    /** Worker {@code worker} died at {@code nanos} (System.nanoTime()): how long until its restart. */
    Duration died(int worker, long nanos) {
        Duration previous = last[worker];
        Duration next;
        if (previous == null || nanos - lastDeath[worker] >= QUIET.toNanos()) {
            next = FIRST;
        } else {
            next = previous.multipliedBy(2);
            if (next.compareTo(LONGEST) > 0) {
                next = LONGEST;
            }
        }
        lastDeath[worker] = nanos;
        last[worker] = next;
        return next;
    }
}
