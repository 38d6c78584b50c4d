package dev.cipherlane.supervisor.lab;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The byte sequence a checked stream carries: the stream is cut into 64 KiB chunks and
 * chunk n is xorshift64 output seeded from (seed, n). Any byte can therefore be regenerated
 * from its offset alone, so the receiver needs no copy of what was sent, and a byte that
 * lands at the wrong offset (lost, duplicated or reordered data) differs from the pattern
 * with overwhelming probability.
 */
public final class BytePattern {
    public static final int CHUNK = 1 << 16;
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private final long seed;
    private final byte[] chunk = new byte[CHUNK];
    private long loaded = -1;

    public BytePattern(long seed) {
        this.seed = seed;
    }

    /** Copies the pattern's bytes {@code [offset, offset + len)} into {@code dst}. */
    public void copy(long offset, byte[] dst, int dstOffset, int len) {
        while (len > 0) {
            int in = load(offset);
            int n = Math.min(len, CHUNK - in);
            System.arraycopy(chunk, in, dst, dstOffset, n);
            offset += n;
            dstOffset += n;
            len -= n;
        }
    }

    /**
     * Where {@code src[srcOffset, srcOffset + len)} first differs from the pattern at stream
     * offset {@code offset}, counted from {@code srcOffset}; -1 if it does not.
     */
    public int mismatch(long offset, byte[] src, int srcOffset, int len) {
        int checked = 0;
        while (checked < len) {
            int in = load(offset + checked);
            int n = Math.min(len - checked, CHUNK - in);
            int m = Arrays.mismatch(chunk, in, in + n, src, srcOffset + checked, srcOffset + checked + n);
            if (m >= 0) {
                return checked + m;
            }
            checked += n;
        }
        return -1;
    }

    /** The pattern's byte at stream offset {@code offset}. */
    public byte at(long offset) {
        return chunk[load(offset)];
    }

    /** Makes the chunk holding {@code offset} current and returns the offset within it. */
    private int load(long offset) {
        long number = offset / CHUNK;
        if (number != loaded) {
            long x = mix(seed + number * 0x9E3779B97F4A7C15L);
            if (x == 0) {
                x = 1; // xorshift's one fixed point
            }
            for (int i = 0; i < CHUNK; i += Long.BYTES) {
                x ^= x << 13;
                x ^= x >>> 7;
                x ^= x << 17;
                LONGS.set(chunk, i, x);
            }
            loaded = number;
        }
        return (int) (offset % CHUNK);
    }

    /** SplitMix64's finalizer: neighbouring chunk numbers get unrelated seeds. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
