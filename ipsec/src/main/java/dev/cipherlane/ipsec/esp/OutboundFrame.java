package dev.cipherlane.ipsec.esp;

import dev.cipherlane.ipsec.sa.SaState;
import dev.cipherlane.stages.buffer.PacketMemory;
import dev.cipherlane.stages.graph.Frame;

/**
 * One worker's sequence numbers for the frame esp-encrypt is working on: reserved for all of
 * an SA's packets in the frame with one atomic operation
 * ({@link dev.cipherlane.ipsec.sa.SequenceSource#tryAcquire}) instead of one per packet on the
 * counter every worker of the SA writes. (Its counters are batched by {@link FrameCounters}.)
 *
 * <p>Invariants kept: a number is handed out at most once under a key, so the IV is never
 * reused (RFC 4106 section 3.1). Numbers reserved for packets that are then dropped before
 * they take one (bad header, too big) are never used by anyone: a gap, which the receiver's
 * window does not mind (RFC 4303 section 3.4.3). When a reservation is refused (the end of the
 * space, a source that cannot batch) packets take numbers one by one and get the source's true
 * answer, so nothing is sent without a number and refusals are counted as before. A frame
 * reserves at most {@link Frame#CAPACITY} numbers per SA, so workers sharing one SA reorder its
 * numbers by at most that many each on the wire, within the default 1024-packet window for up
 * to four workers.
 *
 * <p>Not thread-safe: one per worker. Arrays are indexed by SA index and grow with the SA
 * table, never per packet.
 */
final class OutboundFrame {
    private int[] remaining = new int[16];
    private long[] next = new long[16];
    private long[] end = new long[16];

    /** Counts the frame's packets per SA index; {@code slots} is the snapshot's SA count. */
    void begin(Frame frame, PacketMemory mem, int slots) {
        if (remaining.length < slots) {
            int n = Math.max(slots, 2 * remaining.length);
            remaining = new int[n];
            next = new long[n];
            end = new long[n];
        }
        int n = frame.count();
        for (int i = 0; i < n; i++) {
            int s = mem.saIndex(frame.get(i));
            if (s >= 0 && s < slots) {
                remaining[s] = 0;
                next[s] = 0;
                end[s] = 0;
            }
        }
        for (int i = 0; i < n; i++) {
            int s = mem.saIndex(frame.get(i));
            if (s >= 0 && s < slots) {
                remaining[s]++;
            }
        }
    }

    /**
     * The sequence number for the next packet of outbound SA {@code sa}, or the source's
     * negative refusal. The first packet of an SA in the frame reserves numbers for all of that
     * SA's packets still to come in it.
     */
    long take(SaState sa) {
        int s = sa.index();
        if (s >= remaining.length) {
            return sa.sequence().next();
        }
        if (next[s] < end[s]) {
            remaining[s]--;
            return next[s]++;
        }
        int want = remaining[s];
        long first = want > 1 ? sa.sequence().tryAcquire(want) : -1;
        if (first >= 1) {
            next[s] = first + 1;
            end[s] = first + want;
        } else {
            first = sa.sequence().next();
            if (first < 1) {
                return first;
            }
        }
        remaining[s]--;
        return first;
    }
}
