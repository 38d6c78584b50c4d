package dev.cipherlane.testbed;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link BytePattern#containsRun}, which the chaos tests use to prove no stream byte crosses
 * the wire in clear, must find any piece of any stream wherever it sits in a frame, and must
 * not see one in bytes that are not a stream. No root needed.
 */
class BytePatternTest {
    private static final int FRAME = 1514;

    private static byte[] stream(long seed, long offset, int length) {
        byte[] b = new byte[length];
        new BytePattern(seed).copy(offset, b, 0, length);
        return b;
    }

    @Test
    void findsEveryShortPieceOfAStreamAtEveryAlignmentAndPosition() {
        Random r = new Random(11);
        for (long seed : new long[] {1, -7, 0x9E3779B97F4A7C15L}) {
            for (int i = 0; i < 200; i++) {
                // Offsets anywhere in a chunk, the piece wholly inside it.
                long offset = r.nextInt(64) * (long) BytePattern.CHUNK
                        + r.nextInt(BytePattern.CHUNK - BytePattern.MIN_RUN);
                byte[] piece = stream(seed, offset, BytePattern.MIN_RUN);
                byte[] frame = new byte[FRAME];
                r.nextBytes(frame);
                int at = r.nextInt(FRAME - piece.length);
                System.arraycopy(piece, 0, frame, at, piece.length);
                MemorySegment s = MemorySegment.ofArray(frame);
                assertTrue(BytePattern.containsRun(s, 0, FRAME), () -> "offset " + offset + " at " + at);
                assertTrue(BytePattern.containsRun(s, at, at + piece.length), () -> "offset " + offset);
            }
        }
    }

    @Test
    void findsAWholeSegmentAcrossAChunkBoundary() {
        byte[] segment = stream(42, BytePattern.CHUNK - 700, 1400);
        assertTrue(BytePattern.containsRun(MemorySegment.ofArray(segment), 0, segment.length));
    }

    @Test
    void seesNothingInRandomBytesZerosOrTooShortAPiece() {
        Random r = new Random(5);
        byte[] noise = new byte[1 << 20];
        r.nextBytes(noise);
        assertFalse(BytePattern.containsRun(MemorySegment.ofArray(noise), 0, noise.length));
        byte[] zeros = new byte[FRAME];
        assertFalse(BytePattern.containsRun(MemorySegment.ofArray(zeros), 0, FRAME));
        // Fifteen bytes never hold two whole words.
        byte[] piece = stream(3, 8, 15);
        assertFalse(BytePattern.containsRun(MemorySegment.ofArray(piece), 0, piece.length));
        // The bounds are respected: the piece is outside [0, 100).
        byte[] frame = new byte[FRAME];
        System.arraycopy(stream(3, 0, 64), 0, frame, 200, 64);
        assertFalse(BytePattern.containsRun(MemorySegment.ofArray(frame), 0, 100));
        assertTrue(BytePattern.containsRun(MemorySegment.ofArray(frame), 150, 300));
    }
}
