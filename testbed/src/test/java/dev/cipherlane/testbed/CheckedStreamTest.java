package dev.cipherlane.testbed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The checker the lab's traffic relies on must itself catch what it claims to: a changed,
 * lost, duplicated or extra byte anywhere, chunk boundaries included; a timed stream is
 * held to what its sender wrote. No root needed.
 */
class CheckedStreamTest {
    private static final int LENGTH = 3 * BytePattern.CHUNK + 1234;

    private static byte[] pattern(long seed, int length) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CheckedStream.send(out, new BytePattern(seed), length, 0);
        return out.toByteArray();
    }

    private static CheckedStream.Result receive(byte[] data, long seed, long expected) {
        return CheckedStream.receive(new ByteArrayInputStream(data), new BytePattern(seed), expected, new AtomicLong());
    }

    @Test
    void theSequenceIsTheSameFromAnyOffsetAndLooksRandom() throws Exception {
        byte[] whole = pattern(7, LENGTH);
        BytePattern p = new BytePattern(7);
        byte[] piece = new byte[5000];
        long offset = BytePattern.CHUNK - 1000; // straddles a chunk boundary
        p.copy(offset, piece, 0, piece.length);
        assertTrue(Arrays.equals(whole, (int) offset, (int) offset + piece.length, piece, 0, piece.length));
        assertEquals(-1, new BytePattern(7).mismatch(offset, piece, 0, piece.length));
        assertNotEquals(-1, new BytePattern(8).mismatch(0, whole, 0, 64), "another seed, another sequence");
        int[] histogram = new int[256];
        for (byte x : whole) {
            histogram[x & 0xff]++;
        }
        assertTrue(Arrays.stream(histogram).allMatch(n -> n > 0), "every byte value occurs");
        assertFalse(Arrays.equals(whole, 0, BytePattern.CHUNK, whole, BytePattern.CHUNK, 2 * BytePattern.CHUNK),
                "chunks differ, so a chunk delivered twice is caught");
    }

    @Test
    void anIntactStreamPasses() throws Exception {
        CheckedStream.Result r = receive(pattern(1, LENGTH), 1, LENGTH);
        assertTrue(r.intact(), r::toString);
        assertEquals(LENGTH, r.received());
    }

    @Test
    void aChangedByteIsReportedAtItsOffset() throws Exception {
        for (int at : new int[] {0, BytePattern.CHUNK - 1, BytePattern.CHUNK, LENGTH - 1}) {
            byte[] data = pattern(1, LENGTH);
            data[at] ^= 0x10;
            CheckedStream.Result r = receive(data, 1, LENGTH);
            assertFalse(r.intact());
            assertEquals(at, r.badOffset());
            assertEquals((byte) (data[at] ^ 0x10), r.expectedByte());
            assertEquals(data[at], r.receivedByte());
        }
    }

    @Test
    void lostDuplicatedMissingAndExtraBytesAreCaught() throws Exception {
        byte[] data = pattern(1, LENGTH);
        int at = BytePattern.CHUNK + 17;
        byte[] lost = new byte[LENGTH - 1];
        System.arraycopy(data, 0, lost, 0, at);
        System.arraycopy(data, at + 1, lost, at, LENGTH - at - 1);
        CheckedStream.Result r = receive(lost, 1, LENGTH);
        assertFalse(r.intact());
        assertTrue(r.badOffset() >= at && r.badOffset() < at + 8, r::toString);

        byte[] duplicated = new byte[LENGTH];
        System.arraycopy(data, 0, duplicated, 0, at + 100);
        System.arraycopy(data, at, duplicated, at + 100, LENGTH - at - 100);
        assertFalse(receive(duplicated, 1, LENGTH).intact());

        CheckedStream.Result truncated = receive(Arrays.copyOf(data, LENGTH - 1), 1, LENGTH);
        assertFalse(truncated.intact());
        assertEquals(LENGTH - 1, truncated.received());

        CheckedStream.Result extra = receive(pattern(1, LENGTH + 10), 1, LENGTH);
        assertFalse(extra.intact());
        assertTrue(extra.failure().contains("10 bytes more"), extra::toString);
    }

    @Test
    void aTimedStreamEndsAtItsDeadlineAndIsCheckedAgainstWhatWasSent() throws Exception {
        try (ServerSocket listening = new ServerSocket()) {
            listening.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            Socket client = new Socket(InetAddress.getLoopbackAddress(), listening.getLocalPort());
            long cap = 1L << 30;
            try (CheckedStream s = new CheckedStream("timed", client, listening.accept(), cap, 8 << 20,
                    Duration.ofSeconds(30))) {
                CheckedStream.Result r = s.sendFor(Duration.ofMillis(500)).start().await(Duration.ofSeconds(60));
                assertTrue(r.intact(), r::toString);
                assertEquals(s.sent(), r.expected());
                assertEquals(s.sent(), r.received());
                // Paced at 8 MB/s for half a second: far below the cap, and not nothing.
                assertTrue(r.received() > 0 && r.received() < cap / 64, r::toString);
            }
        }
    }

    @Test
    void aPacedStreamOverLoopbackArrivesIntact() throws Exception {
        try (ServerSocket listening = new ServerSocket()) {
            listening.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            Socket client = new Socket(InetAddress.getLoopbackAddress(), listening.getLocalPort());
            try (CheckedStream s = new CheckedStream("loopback", client, listening.accept(), 4 << 20, 40 << 20,
                    Duration.ofSeconds(30))) {
                CheckedStream.Result r = s.start().await(Duration.ofSeconds(60));
                assertTrue(r.intact(), r::toString);
                assertEquals(4 << 20, s.received());
            }
        }
    }
}
