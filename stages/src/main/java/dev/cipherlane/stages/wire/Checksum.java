package dev.cipherlane.stages.wire;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The Internet checksum (RFC 1071) over packet bytes in the off-heap segment, and its
 * incremental update (RFC 1624).
 *
 * <p>An accumulator, as {@link #sum} takes and returns it, is an unfolded sum of 16-bit
 * big-endian words: callers add pseudo-header words to it, chain {@link #sum} over several
 * ranges and {@link #fold} it at the end. It is zero only when every word summed was zero,
 * which keeps {@link #fold} telling a sum of nothing (0) from a sum of all ones (0xFFFF).
 *
 * <p>{@link #sum} reads eight bytes per load, little-endian, into a 64-bit accumulator as
 * two 32-bit halves whose carries collect in the upper bits: RFC 1071 section 2(C) lets the
 * sum run over wider words and fold at the end. Little-endian because that is the native
 * order of the machines we run on (a big-endian one would still be right, only slower):
 * section 2(B) shows the one's complement sum of byte-swapped words is the byte-swapped sum,
 * so the range is folded to 16 bits once and swapped back before it joins the big-endian
 * accumulator.
 */
public final class Checksum {
    private Checksum() {}

    private static final ValueLayout.OfLong LE64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt LE32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort LE16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final long LOW32 = 0xFFFF_FFFFL;

    /**
     * Adds {@code length} bytes at {@code offset}, as 16-bit big-endian words, to
     * {@code accumulator}; an odd last byte is padded with zero (RFC 1071 section 4.1).
     * The result is congruent, modulo 0xFFFF, to the plain word sum, and zero only if
     * {@code accumulator} and every byte are; {@link #fold} gives the same value for both.
     */
    public static long sum(MemorySegment data, long offset, int length, long accumulator) {
        // Each word adds less than 2^33 and an int length has fewer than 2^28 words, so the
        // accumulator cannot overflow. The loop is kept this plain (one counted int index,
        // one accumulator) because C2 turns exactly this shape into a vector reduction.
        if (length <= 0) {
            return accumulator; // nothing to add, as the word sum adds nothing
        }
        long sum = 0;
        int words = length >>> 3;
        for (int i = 0; i < words; i++) {
            long x = data.get(LE64, offset + 8L * i);
            sum += (x & LOW32) + (x >>> 32);
        }
        long at = offset + 8L * words;
        if ((length & 4) != 0) {
            sum += Integer.toUnsignedLong(data.get(LE32, at));
            at += 4;
        }
        if ((length & 2) != 0) {
            sum += Short.toUnsignedLong(data.get(LE16, at));
            at += 2;
        }
        if ((length & 1) != 0) {
            // The odd byte is the high half of a big-endian word, the low half of a swapped one.
            sum += Byte.toUnsignedLong(data.get(ValueLayout.JAVA_BYTE, at));
        }
        int swapped = fold(sum);
        return accumulator + ((swapped & 0xFF) << 8 | swapped >>> 8);
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
