package dev.cipherlane.stages.builtin;

import static dev.cipherlane.stages.builtin.Ip4TestPackets.referenceChecksum;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cipherlane.stages.wire.Checksum;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ChecksumTest {
    /** Random bytes the wide-load tests slice: 64 KB plus room for every offset. */
    private static final int POOL = 65_536 + 64;

    /** The plain way: 16-bit big-endian words, an odd last byte padded with zero, no fold. */
    private static long wordSum(byte[] b, int off, int len, long initial) {
        long sum = initial;
        for (int i = 0; i < len; i += 2) {
            int hi = b[off + i] & 0xFF;
            int lo = i + 1 < len ? b[off + i + 1] & 0xFF : 0;
            sum += hi << 8 | lo;
        }
        return sum;
    }

    /** End-around carry one 16-bit step at a time, on the unsigned 64-bit value. */
    private static int foldByLoop(long sum) {
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int) sum;
    }

    private static byte[] randomPool(long seed) {
        byte[] bytes = new byte[POOL];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    @Test
    void wideSumMatchesWordSumForEveryOffsetAndLengthUpTo2000() {
        byte[] bytes = randomPool(2000);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment pool = copy(arena, bytes, 0);
            for (int at = 0; at < 16; at++) {
                for (int length = 0; length <= 2000; length++) {
                    // A slice that ends where the range ends: reading one byte past it throws.
                    MemorySegment exact = pool.asSlice(0, at + length);
                    assertEquals(foldByLoop(wordSum(bytes, at, length, 0)), Checksum.fold(Checksum.sum(exact, at, length, 0)),
                            "length " + length + " at " + at);
                }
            }
        }
    }

    @Test
    void wideSumMatchesWordSumUpTo64Kilobytes() {
        byte[] bytes = randomPool(65535);
        int[] lengths = {4095, 4096, 20_000, 32_767, 32_768, 64_000, 65_534, 65_535, 65_536};
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment pool = copy(arena, bytes, 0);
            for (int at = 0; at < 16; at++) {
                for (int length : lengths) {
                    assertEquals(foldByLoop(wordSum(bytes, at, length, 0)),
                            Checksum.fold(Checksum.sum(pool.asSlice(0, at + length), at, length, 0)),
                            "length " + length + " at " + at);
                }
            }
        }
    }

    @Test
    void allOnesOver64KilobytesCarriesIntoEveryHalf() {
        // Every 32-bit half is 0xFFFFFFFF: the most carry the wide loads can collect.
        byte[] bytes = new byte[POOL];
        Arrays.fill(bytes, (byte) 0xFF);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment pool = copy(arena, bytes, 0);
            for (int at = 0; at < 16; at++) {
                for (int length : new int[] {65_535, 65_536, 1, 2, 3, 17}) {
                    assertEquals(foldByLoop(wordSum(bytes, at, length, 0)), Checksum.fold(Checksum.sum(pool, at, length, 0)),
                            "length " + length + " at " + at);
                }
            }
        }
    }

    @Test
    void accumulatorCarriesThroughUnchanged() {
        byte[] bytes = randomPool(1624);
        Random random = new Random(791);
        long[] fixed = {0, 1, 0xFFFF, 0x1_0000, 0x1_FFFE, 0xFFFF_FFFFL, 1L << 40, (1L << 48) - 1};
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment pool = copy(arena, bytes, 0);
            for (int round = 0; round < 20_000; round++) {
                long acc = round < fixed.length ? fixed[round] : random.nextLong() >>> (16 + random.nextInt(32));
                int at = random.nextInt(16);
                int length = random.nextInt(round % 10 == 0 ? 65_536 : 80);
                assertEquals(foldByLoop(wordSum(bytes, at, length, acc)), Checksum.fold(Checksum.sum(pool, at, length, acc)),
                        "accumulator " + acc + " length " + length + " at " + at);
            }
        }
    }

    @Test
    void chainedRangesSumAsTheirWordsDo() {
        // As callers chain them: a pseudo-header, then header and payload in pieces. A piece
        // of odd length is padded on its own, as the plain word sum of that piece would be.
        byte[] bytes = randomPool(9293);
        Random random = new Random(8200);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment pool = copy(arena, bytes, 0);
            for (int round = 0; round < 5_000; round++) {
                long expected = random.nextInt(0x20000);
                long actual = expected;
                int pieces = 1 + random.nextInt(5);
                for (int p = 0; p < pieces; p++) {
                    int at = random.nextInt(POOL - 2000);
                    int length = random.nextInt(2000);
                    expected = wordSum(bytes, at, length, expected);
                    actual = Checksum.sum(pool, at, length, actual);
                }
                assertEquals(foldByLoop(expected), Checksum.fold(actual), "round " + round);
            }
        }
    }

    @Test
    void zeroAndAllOnesStayDistinct() {
        // 0x0000 and 0xFFFF are both one's complement zero; fold must keep a sum of only zero
        // words at 0 and a non-zero sum that wraps at 0xFFFF, as the word sum does.
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment zeros = arena.allocate(64);
            assertEquals(0x1234_5678L, Checksum.sum(zeros, 0, 0, 0x1234_5678L), "an empty range adds nothing");
            assertEquals(0x1234_5678L, Checksum.sum(zeros, 0, -3, 0x1234_5678L), "nor does a negative length");
            for (int length = 0; length <= 40; length++) {
                assertEquals(0, Checksum.fold(Checksum.sum(zeros, 3, length, 0)), "zeros of " + length);
            }
            byte[] complementary = {0x00, (byte) 0xFF, (byte) 0xFF, 0x00, 0x12, 0x34, (byte) 0xED, (byte) 0xCB};
            for (int at = 0; at < 8; at++) {
                MemorySegment s = copy(arena, complementary, at);
                assertEquals(foldByLoop(wordSum(complementary, 0, 8, 0)), Checksum.fold(Checksum.sum(s, at, 8, 0)));
                assertEquals(0xFFFF, Checksum.fold(Checksum.sum(s, at, 8, 0)));
                assertEquals(0xFFFF, Checksum.fold(Checksum.sum(s, at, 4, 0)));
                assertEquals(0xFFFF, Checksum.fold(Checksum.sum(zeros, 0, 8, 0xFFFF)));
            }
        }
    }

    @Test
    void foldMatchesTheLoopOverTheWholeUnsignedRange() {
        Random random = new Random(1071);
        long[] fixed = {0, 1, 0xFFFF, 0x1_0000, 0xFFFF_FFFFL, 0x1_0000_0000L, 0xFFFF_0000_FFFFL, -1L, Long.MIN_VALUE};
        for (long v : fixed) {
            assertEquals(foldByLoop(v), Checksum.fold(v), Long.toHexString(v));
        }
        for (int round = 0; round < 100_000; round++) {
            long v = random.nextLong() >>> random.nextInt(64);
            assertEquals(foldByLoop(v), Checksum.fold(v), Long.toHexString(v));
        }
    }

    private static MemorySegment copy(Arena arena, byte[] bytes, int at) {
        MemorySegment s = arena.allocate(bytes.length + at + 8);
        MemorySegment.copy(bytes, 0, s, ValueLayout.JAVA_BYTE, at, bytes.length);
        return s;
    }

    @Test
    void matchesThePlainImplementationForEveryLengthAndAlignment() {
        Random random = new Random(1071);
        try (Arena arena = Arena.ofConfined()) {
            for (int length = 0; length <= 67; length++) {
                for (int at = 0; at < 4; at++) {
                    byte[] bytes = new byte[length];
                    random.nextBytes(bytes);
                    MemorySegment s = copy(arena, bytes, at);
                    assertEquals(referenceChecksum(bytes, 0, length), Checksum.compute(s, at, length),
                            "length " + length + " at " + at);
                }
            }
        }
    }

    @Test
    void largeBuffersOfAllOnesFoldCorrectly() {
        // 1232 bytes of 0xFF: many carries, the case a missing fold gets wrong.
        byte[] bytes = new byte[1232];
        Arrays.fill(bytes, (byte) 0xFF);
        try (Arena arena = Arena.ofConfined()) {
            assertEquals(referenceChecksum(bytes, 0, bytes.length), Checksum.compute(copy(arena, bytes, 1), 1, bytes.length));
        }
    }

    @Test
    void knownIp4HeaderChecksum() {
        // Worked by hand: the words sum to 0x2479C, fold to 0x479E, complement 0xB861.
        byte[] header = {
            0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11, 0x00, 0x00,
            (byte) 0xC0, (byte) 0xA8, 0x00, 0x01, (byte) 0xC0, (byte) 0xA8, 0x00, (byte) 0xC7};
        long words = 0x4500L + 0x0073 + 0x0000 + 0x4000 + 0x4011 + 0xC0A8 + 0x0001 + 0xC0A8 + 0x00C7;
        while (words > 0xFFFF) {
            words = (words & 0xFFFF) + (words >> 16);
        }
        int expected = (int) (~words & 0xFFFF);
        assertEquals(0xB861, expected);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = copy(arena, header, 0);
            assertEquals(expected, Checksum.compute(s, 0, 20));
            assertFalse(Checksum.verify(s, 0, 20));
            s.set(ValueLayout.JAVA_BYTE, 10, (byte) 0xB8);
            s.set(ValueLayout.JAVA_BYTE, 11, (byte) 0x61);
            assertTrue(Checksum.verify(s, 0, 20));
            s.set(ValueLayout.JAVA_BYTE, 15, (byte) 0x02);
            assertFalse(Checksum.verify(s, 0, 20));
        }
    }

    @Test
    void rfc1624WorkedExampleGivesZeroNotMinusZero() {
        // RFC 1624 section 4: HC = 0xDD2F, m = 0x5555 -> m' = 0x3285; equation 3 gives 0x0000.
        assertEquals(0x0000, Checksum.update(0xDD2F, 0x5555, 0x3285));
    }

    @Test
    void incrementalTtlDecrementEqualsRecomputationOnRandomHeaders() {
        Random random = new Random(1624);
        for (int round = 0; round < 20_000; round++) {
            byte[] h = new byte[20];
            random.nextBytes(h);
            h[8] = (byte) (2 + random.nextInt(254));
            h[10] = 0;
            h[11] = 0;
            int before = referenceChecksum(h, 0, 20);
            h[10] = (byte) (before >>> 8);
            h[11] = (byte) before;
            int oldWord = (h[8] & 0xFF) << 8 | (h[9] & 0xFF);
            h[8]--;
            int newWord = (h[8] & 0xFF) << 8 | (h[9] & 0xFF);
            h[10] = 0;
            h[11] = 0;
            int recomputed = referenceChecksum(h, 0, 20);
            assertEquals(recomputed, Checksum.update(before, oldWord, newWord), "round " + round);
        }
    }

    @Test
    void incrementalUpdateAroundTheZeroChecksum() {
        // Headers whose checksum after the TTL decrement is 0x0000: the case RFC 1141's
        // equation got wrong. The last word is tuned so the decremented header sums to 0xFFFF.
        Random random = new Random(7);
        int found = 0;
        for (int round = 0; round < 2_000 && found < 20; round++) {
            byte[] h = new byte[20];
            random.nextBytes(h);
            h[8] = (byte) (2 + random.nextInt(254));
            h[10] = 0;
            h[11] = 0;
            // Choose bytes 18..19 so that the header after the decrement sums to 0xFFFF.
            h[8]--;
            h[18] = 0;
            h[19] = 0;
            int partial = ~referenceChecksum(h, 0, 20) & 0xFFFF;
            int fill = (0xFFFF - partial) & 0xFFFF;
            if (fill == 0) {
                continue;
            }
            h[18] = (byte) (fill >>> 8);
            h[19] = (byte) fill;
            int after = referenceChecksum(h, 0, 20);
            assertEquals(0x0000, after);
            h[8]++;
            int before = referenceChecksum(h, 0, 20);
            int oldWord = (h[8] & 0xFF) << 8 | (h[9] & 0xFF);
            int newWord = oldWord - 0x100;
            assertEquals(after, Checksum.update(before, oldWord, newWord));
            found++;
        }
        assertEquals(20, found);
    }
}
