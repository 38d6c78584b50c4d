package dev.cipherlane.config;

import java.time.Duration;
import java.util.Objects;

/**
 * @param reachableTime neighbour.reachable-time, how long a resolved entry is trusted
 * @param maxEntries    neighbour.max-entries, capacity of the neighbour table
 */
public record NeighbourSettings(Duration reachableTime, int maxEntries) {

    public static final Duration MIN_REACHABLE_TIME = Duration.ofSeconds(1);
    public static final Duration MAX_REACHABLE_TIME = Duration.ofHours(1);
    public static final int MIN_ENTRIES = 16;
    public static final int MAX_ENTRIES = 1_048_576;

    public NeighbourSettings {
        Objects.requireNonNull(reachableTime, "reachableTime");
        if (reachableTime.compareTo(MIN_REACHABLE_TIME) < 0 || reachableTime.compareTo(MAX_REACHABLE_TIME) > 0) {
            throw new IllegalArgumentException("reachable-time must be in 1s..1h, not " + reachableTime);
        }
        Bounds.check("max-entries", maxEntries, MIN_ENTRIES, MAX_ENTRIES);
    }
}
