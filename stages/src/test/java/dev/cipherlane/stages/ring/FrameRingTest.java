package dev.cipherlane.stages.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FrameRingTest {
    private static final FrameRing.Drain<List<Integer>> COLLECT = (out, bis, off, n) -> {
        for (int i = 0; i < n; i++) {
            out.add(bis[off + i]);
        }
    };

    private static int[] range(int from, int n) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = from + i;
        }
        return a;
    }

    @Test
    void sizeMustBeAPowerOfTwoFrom64To65536() {
        for (int bad : new int[] {0, 32, 63, 100, 1000, 131072, -64}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new FrameRing("r", bad));
            assertTrue(e.getMessage().startsWith("cipherlane.dataplane.ring-size must be a power of two"), e.getMessage());
            assertTrue(e.getMessage().endsWith("got " + bad), e.getMessage());
        }
        assertEquals(64, new FrameRing("r", 64).capacity());
        assertEquals(65536, FrameRing.validateSize(65536));
        assertEquals(1024, FrameRing.validateSize(FrameRing.SIZE_DEFAULT));
    }

    @Test
    void offerCopiesTheIndicesSoTheProducerMayReuseItsArray() {
        FrameRing ring = new FrameRing("r", 64);
        int[] frame = {10, 11, 12, 13, 14};
        assertTrue(ring.offer(frame, 1, 3));
        frame[1] = 99;
        frame[2] = 99;
        List<Integer> got = new ArrayList<>();
        assertEquals(3, ring.poll(COLLECT, got, 256));
        assertEquals(List.of(11, 12, 13), got);
        assertEquals(0, ring.poll(COLLECT, got, 256), "slot consumed once");
    }

    @Test
    void fullRingRefusesAtOnceAndAcceptsAgainAfterAPoll() {
        FrameRing ring = new FrameRing("r", 64);
        for (int s = 0; s < 64; s++) {
            assertTrue(ring.offer(range(s * 10, 2), 0, 2), "slot " + s);
        }
        assertEquals(0, ring.remainingCapacity());
        assertFalse(ring.offer(range(1000, 1), 0, 1));
        assertFalse(ring.offer(range(1000, 1), 0, 1));

        List<Integer> got = new ArrayList<>();
        assertEquals(2, ring.poll(COLLECT, got, 1), "one whole slot for a budget of 1");
        assertEquals(List.of(0, 1), got);
        assertTrue(ring.offer(range(2000, 1), 0, 1));
        assertFalse(ring.offer(range(3000, 1), 0, 1));

        got.clear();
        assertEquals(2 * 63 + 1, ring.poll(COLLECT, got, Integer.MAX_VALUE));
        assertEquals(10, got.get(0));
        assertEquals(631, got.get(125));
        assertEquals(2000, got.get(126), "the late slot comes last");
    }

    @Test
    void pollTakesWholeSlotsUntilTheBudgetIsReached() {
        FrameRing ring = new FrameRing("r", 64);
        ring.offer(range(0, 100), 0, 100);
        ring.offer(range(100, 100), 0, 100);
        ring.offer(range(200, 100), 0, 100);
        List<Integer> got = new ArrayList<>();
        assertEquals(200, ring.poll(COLLECT, got, 150));
        assertEquals(200, got.size());
        assertEquals(100, ring.poll(COLLECT, got, 1));
        for (int i = 0; i < 300; i++) {
            assertEquals(i, got.get(i));
        }
        assertEquals(0, ring.poll(COLLECT, got, 0));
    }

    @Test
    void emptyOffersHandOverNothingAndOversizedOnesAreRefused() {
        FrameRing ring = new FrameRing("r", 64);
        assertTrue(ring.offer(new int[0], 0, 0));
        assertEquals(64, ring.remainingCapacity());
        assertThrows(IllegalArgumentException.class, () -> ring.offer(new int[257], 0, 257));
        assertThrows(IllegalArgumentException.class, () -> ring.offer(new int[4], 0, -1));
        assertTrue(ring.offer(range(0, 256), 0, 256), "a full frame fits one slot");
        List<Integer> got = new ArrayList<>();
        assertEquals(256, ring.poll(COLLECT, got, 1));
        assertEquals(255, got.get(255));
    }

    @Test
    void aSecondConsumerWhileOneIsPollingGetsNothing() {
        FrameRing ring = new FrameRing("r", 64);
        ring.offer(range(0, 2), 0, 2);
        ring.offer(range(2, 2), 0, 2);
        List<Integer> inner = new ArrayList<>();
        List<Integer> outer = new ArrayList<>();
        int[] nested = {-1};
        FrameRing.Drain<List<Integer>> reentrant = (out, bis, off, n) -> {
            nested[0] = ring.poll(COLLECT, inner, 256);
            COLLECT.accept(out, bis, off, n);
        };
        assertEquals(4, ring.poll(reentrant, outer, 256));
        assertEquals(0, nested[0]);
        assertEquals(List.of(), inner);
        assertEquals(List.of(0, 1, 2, 3), outer);
    }
}
