package dev.cipherlane.stages.swap;

import java.time.Instant;

/** One slot as {@code show stages} shows it; {@code packets} counts every worker, over every swap. */
public record StageRow(String slot, String implementation, String version, String origin, Instant since,
                       long packets) {}
