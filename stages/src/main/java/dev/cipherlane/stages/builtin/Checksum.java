package dev.cipherlane.stages.builtin;

import dev.cipherlane.stages.buffer.Net;
import java.lang.foreign.MemorySegment;

/**
 * The Internet checksum (RFC 1071) over packet bytes in the off-heap segment, and its
 * incremental update (RFC 1624).
 *
 * <p>{@link #sum} adds 32-bit big-endian words into a 64-bit accumulator and leaves the
 * carries for {@link #fold}: RFC 1071 section 2(B) and (C) show that the one's complement
 * sum may be taken over wider words and folded at the end, which halves the loads compared
 * to 16-bit words. A 64-bit accumulator holds 2^32 words before it could overflow, far more
 * than any packet.
 */
public final class Checksum {
    private Checksum() {}

    /** Adds {@code length} bytes at {@code offset} to {@code accumulator}; an odd last byte is padded with zero. */
    public static long sum(MemorySegment data, long offset, int length, long accumulator) {
        long acc = accumulator;
        int i = 0;
        for (; i + 4 <= length; i += 4) {
            acc += Integer.toUnsignedLong(data.get(Net.U32, offset + i));
        }
        if (i + 2 <= length) {
            acc += Short.toUnsignedInt(data.get(Net.U16, offset + i));
            i += 2;
        }
        if (i < length) {
            acc += Byte.toUnsignedInt(data.get(Net.U8, offset + i)) << 8;
        }
        return acc;
    }

    /** Folds the carries of an accumulator into a 16-bit one's complement sum. */
    public static int fold(long accumulator) {
        long acc = (accumulator & 0xFFFF_FFFFL) + (accumulator >>> 32);
        acc = (acc & 0xFFFF_FFFFL) + (acc >>> 32);
        acc = (acc & 0xFFFF) + (acc >>> 16);
        acc = (acc & 0xFFFF) + (acc >>> 16);
        return (int) acc;
    }

    /** The checksum field value for {@code length} bytes whose own checksum field holds zero. */
    public static int compute(MemorySegment data, long offset, int length) {
        return ~fold(sum(data, offset, length, 0)) & 0xFFFF;
    }

    /** Whether {@code length} bytes including their checksum field sum to all ones (RFC 1071 section 1). */
    public static boolean verify(MemorySegment data, long offset, int length) {
        return fold(sum(data, offset, length, 0)) == 0xFFFF;
    }

    /**
     * RFC 1624 equation 3: the new checksum after one 16-bit word of the covered data changes
     * from {@code oldWord} to {@code newWord}, {@code HC' = ~(~HC + ~m + m')}. Equation 3
     * rather than RFC 1141's {@code HC + m + ~m'}, which yields 0xFFFF where a full
     * recomputation gives 0x0000 (RFC 1624 sections 3 and 4).
     */
    public static int update(int checksum, int oldWord, int newWord) {
        int acc = (~checksum & 0xFFFF) + (~oldWord & 0xFFFF) + (newWord & 0xFFFF);
        acc = (acc & 0xFFFF) + (acc >>> 16);
        acc = (acc & 0xFFFF) + (acc >>> 16);
        return ~acc & 0xFFFF;
    }
}
