package dev.cipherlane.config;

import java.time.Duration;

/** Durations in HOCON's own units, so what `show config` prints can be read back. */
final class DurationText {

    private static final long[] NANOS = {86_400_000_000_000L, 3_600_000_000_000L, 60_000_000_000L,
        1_000_000_000L, 1_000_000L, 1_000L, 1L};
    private static final String[] UNITS = {"d", "h", "m", "s", "ms", "us", "ns"};

    private DurationText() {
    }

    /** The largest unit that divides exactly: 30s, 5m, 1500ms. */
    static String format(Duration duration) {
        long nanos = duration.toNanos();
        if (nanos == 0) {
            return "0s";
        }
        for (int i = 0; i < NANOS.length; i++) {
            if (nanos % NANOS[i] == 0) {
                return nanos / NANOS[i] + UNITS[i];
            }
        }
        throw new AssertionError("every duration is a whole number of nanoseconds");
    }
}
