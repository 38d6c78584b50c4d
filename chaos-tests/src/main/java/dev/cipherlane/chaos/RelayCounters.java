package dev.cipherlane.chaos;

/**
 * A snapshot of one direction's counters. {@code forwarded} counts frames written to the
 * far wire (duplicates and released held frames included); each of the others counts frames
 * that met that fate on the way.
 *
 * @param received    frames read from the near wire (the relay's own transmissions excluded)
 * @param forwarded   frames sent on the far wire
 * @param dropped     frames dropped by random loss
 * @param duplicated  frames sent a second time
 * @param reordered   frames held back for later frames to overtake
 * @param corrupted   frames with one byte flipped
 * @param partitioned frames dropped by a partition
 * @param errors      frames lost to the relay itself: larger than its buffer, or the send failed
 */
public record RelayCounters(long received, long forwarded, long dropped, long duplicated, long reordered,
                            long corrupted, long partitioned, long errors) {

    @Override
    public String toString() {
        return "rx " + received + " fwd " + forwarded + " lost " + dropped + " dup " + duplicated
                + " reord " + reordered + " corrupt " + corrupted + " partition " + partitioned
                + " err " + errors;
    }
}
