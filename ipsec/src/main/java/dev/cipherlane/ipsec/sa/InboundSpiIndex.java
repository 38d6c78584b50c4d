package dev.cipherlane.ipsec.sa;

import java.util.Arrays;

/**
 * Inbound SAs by SPI, the way a receiver finds the SA of an ESP packet (RFC 4301 section 4.1:
 * for unicast the SPI alone names the SA, since we chose it). Immutable, built with a snapshot:
 * open addressing with linear probing over two primitive arrays at most half full, so a lookup
 * is a multiply, a shift and usually one probe, and allocates nothing.
 */
final class InboundSpiIndex {
    static final int NOT_FOUND = -1;

    private final int[] spis;
    private final int[] sas;
    private final int mask;
    private final int shift;

    /** {@code sas[i]} is the SA index of {@code spis[i]}; the SPIs are distinct. */
    InboundSpiIndex(int[] spiList, int[] saList, int count) {
        int capacity = Math.max(16, Integer.highestOneBit(Math.max(1, count) * 2 - 1) << 1);
        this.spis = new int[capacity];
        this.sas = new int[capacity];
        Arrays.fill(sas, NOT_FOUND);
        this.mask = capacity - 1;
        this.shift = 32 - Integer.numberOfTrailingZeros(capacity);
        for (int i = 0; i < count; i++) {
            int slot = home(spiList[i]);
            while (sas[slot] != NOT_FOUND) {
                if (spis[slot] == spiList[i]) {
                    throw new IllegalArgumentException("inbound SPI 0x" + Integer.toHexString(spiList[i]) + " twice");
                }
                slot = (slot + 1) & mask;
            }
            spis[slot] = spiList[i];
            sas[slot] = saList[i];
        }
    }

    /** Fibonacci hashing: SPIs we pick are random, but a peer's may not be. */
    private int home(int spi) {
        return (spi * 0x9E37_79B9) >>> shift;
    }

    /** The SA index of {@code spi}, or {@link #NOT_FOUND}. */
    int find(int spi) {
        int slot = home(spi);
        int sa;
        while ((sa = sas[slot]) != NOT_FOUND) {
            if (spis[slot] == spi) {
                return sa;
            }
            slot = (slot + 1) & mask;
        }
        return NOT_FOUND;
    }
}
