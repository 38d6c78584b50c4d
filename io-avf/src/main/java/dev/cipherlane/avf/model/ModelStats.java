package dev.cipherlane.avf.model;

import dev.cipherlane.avf.virtchnl.EthStats;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** The VSI's counters as GET_STATS reports them; they survive VF resets, as the PF keeps them. */
final class ModelStats {
    long rxBytes, rxUnicast, rxMulticast, rxBroadcast, rxDiscards, rxUnknownProtocol;
    long txBytes, txUnicast, txMulticast, txBroadcast, txDiscards, txErrors;

    void received(MemorySegment frame, int length) {
        rxBytes += length;
        switch (kind(frame)) {
            case 0 -> rxUnicast++;
            case 1 -> rxMulticast++;
            default -> rxBroadcast++;
        }
    }

    void sent(MemorySegment frame, int length) {
        txBytes += length;
        switch (kind(frame)) {
            case 0 -> txUnicast++;
            case 1 -> txMulticast++;
            default -> txBroadcast++;
        }
    }

    /** 0 unicast, 1 multicast, 2 broadcast, by the destination address. */
    static int kind(MemorySegment frame) {
        long dst = destination(frame);
        if (dst == 0xFFFF_FFFF_FFFFL) {
            return 2;
        }
        return (dst >>> 40 & 1) != 0 ? 1 : 0;
    }

    static long destination(MemorySegment frame) {
        long v = 0;
        for (int i = 0; i < 6; i++) {
            v = v << 8 | (frame.get(ValueLayout.JAVA_BYTE, i) & 0xFF);
        }
        return v;
    }

    EthStats snapshot() {
        return new EthStats(rxBytes, rxUnicast, rxMulticast, rxBroadcast, rxDiscards, rxUnknownProtocol,
                txBytes, txUnicast, txMulticast, txBroadcast, txDiscards, txErrors);
    }
}
