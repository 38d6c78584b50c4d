package dev.cipherlane.config;

import java.time.Duration;
import java.util.Objects;

/**
 * @param reachableTime neighbour.reachable-time, how long a resolved entry is trusted
 * @param maxEntries    neighbour.max-entries, learned entries the neighbour table holds (the node's
 *                      own entries have a reserve of as many again)
 * @param maxPerInterface neighbour.max-per-interface, learned entries one interface holds at most
 */
public record NeighbourSettings(Duration reachableTime, int maxEntries, int maxPerInterface) {

    public static final Duration MIN_REACHABLE_TIME = Duration.ofSeconds(1);
    public static final Duration MAX_REACHABLE_TIME = Duration.ofHours(1);
    public static final int MIN_ENTRIES = 16;
    public static final int MAX_ENTRIES = 1_048_576;
    public static final int MIN_PER_INTERFACE = 1;
    public static final int DEFAULT_PER_INTERFACE = 1024;

    public NeighbourSettings {
        Objects.requireNonNull(reachableTime, "reachableTime");
        if (reachableTime.compareTo(MIN_REACHABLE_TIME) < 0 || reachableTime.compareTo(MAX_REACHABLE_TIME) > 0) {
            throw new IllegalArgumentException("reachable-time must be in 1s..1h, not " + reachableTime);
        }
        Bounds.check("max-entries", maxEntries, MIN_ENTRIES, MAX_ENTRIES);
        Bounds.check("max-per-interface", maxPerInterface, MIN_PER_INTERFACE, MAX_ENTRIES);
    }

    /** reference.conf's limit per interface. */
    public NeighbourSettings(Duration reachableTime, int maxEntries) {
        this(reachableTime, maxEntries, DEFAULT_PER_INTERFACE);
    }
}
