package dev.cipherlane.avf.driver;

import dev.cipherlane.avf.virtchnl.EthStats;
import java.util.Arrays;

/**
 * Tells a wedged queue from a quiet one, so the VF can be reset to unwedge it.
 *
 * <p>Transmit: descriptors outstanding and none completed for {@code txHangNanos}, while
 * the link is up (without link the device rightly holds them back).
 *
 * <p>Receive: the device never says it skipped a descriptor, so we compare with the PF's
 * counters. If, over {@code limit} statistics intervals in a row, the PF counted frames
 * delivered to the VSI while no descriptor completed and none is waiting to be taken,
 * the device is writing without setting DD, or not writing at all.
 */
final class RingWatchdog {
    private final long txHangNanos;
    private final int limit;
    private long[] txLastDone = new long[0];
    private long[] txProgressAt = new long[0];
    private long lastDeviceRx;
    private long lastRxDescriptors;
    private int rxStalls;

    RingWatchdog(long txHangNanos, int limit) {
        this.txHangNanos = txHangNanos;
        this.limit = limit;
    }

    /** Starts watching afresh: after every handshake. */
    void rearm(long now, int queues, EthStats stats, RxRing[] rx) {
        txLastDone = new long[queues];
        txProgressAt = new long[queues];
        Arrays.fill(txProgressAt, now);
        lastDeviceRx = stats.rxPackets();
        lastRxDescriptors = descriptorsDone(rx, queues);
        rxStalls = 0;
    }

    /** Why a transmit queue looks hung, or null. Reclaims first, so an idle sender is not mistaken. */
    String transmitHung(long now, TxRing[] tx, int queues, boolean linkUp) {
        for (int q = 0; q < queues; q++) {
            TxRing ring = tx[q];
            ring.reclaim();
            if (ring.outstanding() == 0 || ring.descriptorsDone != txLastDone[q] || !linkUp) {
                txLastDone[q] = ring.descriptorsDone;
                txProgressAt[q] = now;
            } else if (now - txProgressAt[q] > txHangNanos) {
                return "transmit queue " + q + " hung: " + ring.outstanding() + " descriptors not done for "
                        + (now - txProgressAt[q]) / 1_000_000 + " ms";
            }
        }
        return null;
    }

    /** Why receive looks stalled given fresh statistics, or null. */
    String receiveStalled(EthStats stats, RxRing[] rx, int queues) {
        long deviceRx = stats.rxPackets();
        long done = descriptorsDone(rx, queues);
        boolean waiting = false;
        for (int q = 0; q < queues; q++) {
            waiting |= rx[q].ready();
        }
        rxStalls = deviceRx > lastDeviceRx && done == lastRxDescriptors && !waiting ? rxStalls + 1 : 0;
        lastDeviceRx = deviceRx;
        lastRxDescriptors = done;
        if (rxStalls < limit) {
            return null;
        }
        return "receive stalled: the PF delivered frames for " + rxStalls
                + " statistics intervals and no descriptor completed";
    }

    private static long descriptorsDone(RxRing[] rx, int queues) {
        long n = 0;
        for (int q = 0; q < queues; q++) {
            n += rx[q].descriptorsDone;
        }
        return n;
    }
}
