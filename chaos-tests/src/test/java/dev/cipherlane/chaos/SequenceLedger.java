package dev.cipherlane.chaos;

import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;

/**
 * Every (SPI, sequence number) pair seen on a wire. With AES-GCM the sequence number is the
 * IV (RFC 4106 section 3.1), so a pair seen twice, when nothing on the wire duplicates
 * frames, means a nonce used twice under one key: what the persisted sequence reservations
 * exist to prevent (DESIGN.md, IPsec). Sequence numbers of one SA are dense, so they are kept
 * as bitmaps of 65536 numbers, one per SPI and block. Not thread-safe.
 */
final class SequenceLedger {
    private static final int BLOCK_BITS = 16;

    private final Map<Long, BitSet> blocks = new HashMap<>();
    private long pairs;

    /** Records a pair; false when it was seen before. */
    boolean add(int spi, long sequence) {
        long key = (Integer.toUnsignedLong(spi) << 32) | (sequence >>> BLOCK_BITS);
        BitSet block = blocks.computeIfAbsent(key, k -> new BitSet(1 << BLOCK_BITS));
        int bit = (int) (sequence & ((1 << BLOCK_BITS) - 1));
        if (block.get(bit)) {
            return false;
        }
        block.set(bit);
        pairs++;
        return true;
    }

    /** Distinct pairs recorded. */
    long pairs() {
        return pairs;
    }
}
