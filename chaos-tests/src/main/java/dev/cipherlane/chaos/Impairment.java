package dev.cipherlane.chaos;

import java.time.Duration;
import java.util.Objects;

/**
 * What the {@link ImpairmentRelay} does to the frames of one direction, in the spirit of
 * tc-netem (which this kernel lacks). Immutable: the relay reads the current settings with
 * one volatile load per frame, so a test swaps in a new value while traffic flows.
 *
 * <p>Per frame, in this order: a partition drops it; {@code lossPercent} drops it;
 * {@code corruptPercent} flips one byte after the Ethernet header; {@code duplicatePercent}
 * sends it twice; {@code reorderPercent} holds one copy back until {@code reorderGap} later
 * frames have passed it (or {@code reorderHold} has elapsed, so a held frame never waits
 * for traffic that does not come); then every copy waits {@code delay} &plusmn; a uniform
 * {@code jitter} (a jitter larger than the delay lets frames overtake each other, as in
 * netem). Percentages are 0..100. A partition also drops frames still held or delayed when
 * their time comes, as a cut cable loses what is in flight on it.
 *
 * @param lossPercent      chance a frame is dropped
 * @param duplicatePercent chance a frame is sent twice
 * @param reorderPercent   chance a frame is held back and sent after later ones
 * @param reorderGap       how many later frames overtake a held frame (&ge; 1)
 * @param reorderHold      the longest a frame is held back when no frames follow it
 * @param corruptPercent   chance one byte beyond the 14-byte Ethernet header is flipped
 * @param delay            fixed one-way delay added to every frame
 * @param jitter           uniform random variation of the delay, &plusmn;jitter, never below 0
 * @param partitioned      drop everything
 */
public record Impairment(double lossPercent, double duplicatePercent, double reorderPercent, int reorderGap,
                         Duration reorderHold, double corruptPercent, Duration delay, Duration jitter,
                         boolean partitioned) {

    public static final int REORDER_GAP_DEFAULT = 3;
    public static final Duration REORDER_HOLD_DEFAULT = Duration.ofMillis(20);

    /** A clean wire: every frame forwarded at once, untouched. */
    public static final Impairment NONE = new Impairment(0, 0, 0, REORDER_GAP_DEFAULT, REORDER_HOLD_DEFAULT,
            0, Duration.ZERO, Duration.ZERO, false);

    public Impairment {
        checkPercent("lossPercent", lossPercent);
        checkPercent("duplicatePercent", duplicatePercent);
        checkPercent("reorderPercent", reorderPercent);
        checkPercent("corruptPercent", corruptPercent);
        if (reorderGap < 1) {
            throw new IllegalArgumentException("reorderGap must be >= 1, got " + reorderGap);
        }
        checkDuration("reorderHold", reorderHold);
        checkDuration("delay", delay);
        checkDuration("jitter", jitter);
    }

    public Impairment withLoss(double percent) {
        return new Impairment(percent, duplicatePercent, reorderPercent, reorderGap, reorderHold,
                corruptPercent, delay, jitter, partitioned);
    }

    public Impairment withDuplication(double percent) {
        return new Impairment(lossPercent, percent, reorderPercent, reorderGap, reorderHold,
                corruptPercent, delay, jitter, partitioned);
    }

    /** Holds {@code percent} of frames back until {@code gap} later frames passed or {@code hold} elapsed. */
    public Impairment withReordering(double percent, int gap, Duration hold) {
        return new Impairment(lossPercent, duplicatePercent, percent, gap, hold,
                corruptPercent, delay, jitter, partitioned);
    }

    public Impairment withCorruption(double percent) {
        return new Impairment(lossPercent, duplicatePercent, reorderPercent, reorderGap, reorderHold,
                percent, delay, jitter, partitioned);
    }

    public Impairment withDelay(Duration delay, Duration jitter) {
        return new Impairment(lossPercent, duplicatePercent, reorderPercent, reorderGap, reorderHold,
                corruptPercent, delay, jitter, partitioned);
    }

    public Impairment withPartition(boolean partitioned) {
        return new Impairment(lossPercent, duplicatePercent, reorderPercent, reorderGap, reorderHold,
                corruptPercent, delay, jitter, partitioned);
    }

    /** True when frames may be held in the relay's timed queue. */
    boolean delays() {
        return !delay.isZero() || !jitter.isZero();
    }

    private static void checkPercent(String name, double value) {
        if (!(value >= 0 && value <= 100)) {
            throw new IllegalArgumentException(name + " must be within 0..100, got " + value);
        }
    }

    private static void checkDuration(String name, Duration value) {
        Objects.requireNonNull(value, name);
        if (value.isNegative()) {
            throw new IllegalArgumentException(name + " must not be negative, got " + value);
        }
    }
}
