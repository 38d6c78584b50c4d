package dev.cipherlane.stages.builtin;

import static dev.cipherlane.stages.builtin.Ip4TestPackets.referenceChecksum;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ChecksumTest {

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
