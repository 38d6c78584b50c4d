package dev.cipherlane.testbed;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
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
 *
 * <p>The same structure lets a capture recognise the sequence without knowing a seed: inside
 * a chunk every 8-byte word is the xorshift step of the one before ({@link #containsRun}).
 * That is how the chaos tests check that no stream byte crosses a wire in clear.
 */
public final class BytePattern {
    public static final int CHUNK = 1 << 16;
    /**
     * The shortest piece of a stream that {@link #containsRun} always finds: wherever it
     * starts, it holds two whole consecutive words.
     */
    public static final int MIN_RUN = 3 * Long.BYTES - 1;
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong LE64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

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
                x = step(x);
                LONGS.set(chunk, i, x);
            }
            loaded = number;
        }
        return (int) (offset % CHUNK);
    }

    /** One xorshift64 step (shifts 13, 7, 17): the next word of a chunk. */
    private static long step(long x) {
        x ^= x << 13;
        x ^= x >>> 7;
        return x ^ (x << 17);
    }

    /**
     * Whether {@code s[from, to)} holds a piece of any checked stream, whatever its seed and
     * offset: two consecutive little-endian words, at any byte position, of which the second
     * is the xorshift step of the first (and the first is not 0, xorshift's fixed point, which
     * the sequence never reaches). Any {@link #MIN_RUN} bytes of a stream hold such a pair;
     * random or encrypted bytes match at one position with probability 2^-64.
     */
    public static boolean containsRun(MemorySegment s, long from, long to) {
        for (int phase = 0; phase < Long.BYTES; phase++) {
            long at = from + phase;
            if (at + 2 * Long.BYTES > to) {
                break;
            }
            long word = s.get(LE64, at);
            for (at += Long.BYTES; at + Long.BYTES <= to; at += Long.BYTES) {
                long next = s.get(LE64, at);
                if (word != 0 && next == step(word)) {
                    return true;
                }
                word = next;
            }
        }
        return false;
    }

    /** SplitMix64's finalizer: neighbouring chunk numbers get unrelated seeds. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
