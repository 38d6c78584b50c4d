package dev.cipherlane.ipsec.esp;

import dev.cipherlane.ipsec.sa.SaState;
import java.util.Arrays;

/**
 * One worker's SA counters for the frame it is working on: packets and inner bytes summed per
 * SA and added to each SA's {@link dev.cipherlane.ipsec.sa.SaCounters} once, at the end of the
 * frame, instead of two atomic adds per packet on a cache line every worker of the SA writes.
 * Limits are therefore checked per frame (see {@code SaCounters}).
 *
 * <p>Not thread-safe: one per worker. Arrays are indexed by SA index and grow with the SA
 * table, never per packet.
 */
final class FrameCounters {
    private long[] packets = new long[16];
    private long[] bytes = new long[16];
    private SaState[] touched = new SaState[16];
    private int touchedCount;

    /** Room for SA indexes below {@code slots}, the snapshot's SA count. */
    void begin(int slots) {
        if (packets.length < slots) {
            int n = Math.max(slots, 2 * packets.length);
            packets = Arrays.copyOf(packets, n);
            bytes = Arrays.copyOf(bytes, n);
            touched = Arrays.copyOf(touched, n);
        }
    }

    /** Adds a packet of {@code inner} bytes to what {@link #finish} will count on {@code sa}. */
    void account(SaState sa, long inner) {
        int s = sa.index();
        if (s >= packets.length) {
            sa.counters().account(inner);
            return;
        }
        if (packets[s] == 0) {
            touched[touchedCount++] = sa;
        }
        packets[s]++;
        bytes[s] += inner;
    }

    /** Adds the frame's packets and bytes to each SA's counters, once per SA. */
    void finish() {
        for (int i = 0; i < touchedCount; i++) {
            SaState sa = touched[i];
            int s = sa.index();
            sa.counters().account(packets[s], bytes[s]);
            packets[s] = 0;
            bytes[s] = 0;
            touched[i] = null;
        }
        touchedCount = 0;
    }
}
