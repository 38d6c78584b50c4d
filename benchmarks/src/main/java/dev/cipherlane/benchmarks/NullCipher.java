package dev.cipherlane.benchmarks;

import dev.cipherlane.ipsec.crypto.AeadEngine;
import dev.cipherlane.ipsec.crypto.AeadKey;
import java.lang.foreign.MemorySegment;

/**
 * A benchmark control, never a cipher: an {@link AeadEngine} that leaves every byte alone and
 * reports success. With it, {@code esp-encrypt} and {@code esp-decrypt} do all of their ESP
 * work (SA lookup, sequence number, headers, trailer and its checks, checksum, replay window,
 * counters, the frame) and none of the cryptography, so their time per packet is what ESP
 * costs on top of the cipher; a few tens of nanoseconds are measured more steadily on a busy
 * machine than the difference between two microsecond-scale figures. Packets for its decrypt
 * run must be "sealed" by it too, so their trailer is still clear.
 */
final class NullCipher implements AeadEngine {
    static final String NAME = "none";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean seal(AeadKey key, long iv, MemorySegment aad, long aadOffset,
            int aadLength, MemorySegment data, long text, int length) {
        return true;
    }

    @Override
    public boolean open(AeadKey key, long iv, MemorySegment aad, long aadOffset,
            int aadLength, MemorySegment data, long text, int length) {
        return true;
    }
}
