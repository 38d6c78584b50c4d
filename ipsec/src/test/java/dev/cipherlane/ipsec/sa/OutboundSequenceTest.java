package dev.cipherlane.ipsec.sa;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class OutboundSequenceTest {
    @Test
    void numbersStartAtOne() {
        OutboundSequence s = new OutboundSequence(false);
        assertEquals(1, s.next());
        assertEquals(2, s.next());
        assertEquals(3, s.peek());
    }

    @Test
    void withoutEsnTheCounterStopsAtTheLast32BitNumberAndNeverCycles() {
        OutboundSequence s = new OutboundSequence(false, 0xFFFF_FFFEL);
        assertEquals(0xFFFF_FFFEL, s.next());
        assertEquals(0xFFFF_FFFFL, s.next());
        for (int i = 0; i < 5; i++) {
            assertEquals(SequenceSource.EXHAUSTED, s.next());
        }
        assertEquals(0x1_0000_0000L, s.peek(), "stays just past the end");
    }

    @Test
    void withEsnTheCounterGoesPastTheLow32BitsAndStopsAtTheSignedMaximum() {
        OutboundSequence s = new OutboundSequence(true, 0xFFFF_FFFFL);
        assertEquals(0xFFFF_FFFFL, s.next());
        assertEquals(0x1_0000_0000L, s.next());
        OutboundSequence end = new OutboundSequence(true, Long.MAX_VALUE - 1);
        assertEquals(Long.MAX_VALUE - 1, end.next());
        assertEquals(Long.MAX_VALUE, end.next());
        assertEquals(SequenceSource.EXHAUSTED, end.next());
        assertEquals(SequenceSource.EXHAUSTED, end.next());
    }

    @Test
    void firstNumberMustBePositive() {
        assertThrows(IllegalArgumentException.class, () -> new OutboundSequence(false, 0));
    }

    @Test
    void workersTogetherGetEveryNumberOnce() throws Exception {
        OutboundSequence s = new OutboundSequence(false);
        int perThread = 250_000;
        ExecutorService pool = Executors.newFixedThreadPool(4);
        BitSet all = new BitSet();
        try {
            List<Future<long[]>> f = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                f.add(pool.submit(() -> {
                    long[] got = new long[perThread];
                    for (int i = 0; i < perThread; i++) {
                        got[i] = s.next();
                    }
                    return got;
                }));
            }
            for (Future<long[]> x : f) {
                for (long n : x.get()) {
                    assertTrue(n >= 1 && !all.get((int) n), "handed out twice or invalid: " + n);
                    all.set((int) n);
                }
            }
        } finally {
            pool.shutdown();
        }
        assertEquals(4 * perThread, all.cardinality());
        assertEquals(4 * perThread, all.length() - 1, "no gaps");
    }

    /** A frame's block is all or nothing: never past the end, the last few still go one by one. */
    @Test
    void aBlockFitsBelowTheLimitOrIsRefusedWhole() {
        OutboundSequence s = new OutboundSequence(false, 0xFFFF_FFF0L);
        assertEquals(0xFFFF_FFF0L, s.tryAcquire(10));
        assertEquals(SequenceSource.EXHAUSTED, s.tryAcquire(7), "6 left: 7 do not fit");
        assertEquals(0xFFFF_FFFAL, s.tryAcquire(6));
        assertEquals(SequenceSource.EXHAUSTED, s.tryAcquire(2));
        assertEquals(SequenceSource.EXHAUSTED, s.next());
        OutboundSequence esn = new OutboundSequence(true, Long.MAX_VALUE - 2);
        assertEquals(Long.MAX_VALUE - 2, esn.tryAcquire(3), "up to the signed maximum exactly");
        assertEquals(SequenceSource.EXHAUSTED, esn.tryAcquire(1));
        assertThrows(IllegalArgumentException.class, () -> s.tryAcquire(0));
    }

    /** Workers taking blocks of frame sizes and single numbers at once never share a number. */
    @Test
    void blocksAndSingleNumbersTogetherNeverOverlap() throws Exception {
        OutboundSequence s = new OutboundSequence(false);
        int rounds = 20_000;
        ExecutorService pool = Executors.newFixedThreadPool(4);
        BitSet all = new BitSet();
        try {
            List<Future<List<long[]>>> f = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int thread = t;
                f.add(pool.submit(() -> {
                    List<long[]> got = new ArrayList<>();
                    for (int i = 0; i < rounds; i++) {
                        int n = thread == 0 ? 1 : 1 + (i * 7 + thread) % 64;
                        long first = n == 1 ? s.next() : s.tryAcquire(n);
                        got.add(new long[] {first, n});
                    }
                    return got;
                }));
            }
            long total = 0;
            for (Future<List<long[]>> x : f) {
                for (long[] block : x.get()) {
                    for (long n = block[0]; n < block[0] + block[1]; n++) {
                        assertTrue(n >= 1 && !all.get((int) n), "handed out twice or invalid: " + n);
                        all.set((int) n);
                    }
                    total += block[1];
                }
            }
            assertEquals(total, all.cardinality());
            assertEquals(total, all.length() - 1, "no gaps either");
        } finally {
            pool.shutdown();
        }
    }
}
