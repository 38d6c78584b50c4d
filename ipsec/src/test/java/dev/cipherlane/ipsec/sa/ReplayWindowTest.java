package dev.cipherlane.ipsec.sa;

import static dev.cipherlane.ipsec.sa.ReplayWindow.OK;
import static dev.cipherlane.ipsec.sa.ReplayWindow.REPLAY;
import static dev.cipherlane.ipsec.sa.ReplayWindow.TOO_OLD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ReplayWindowTest {
    @Test
    void sizesArePowersOfTwoFrom64OrOff() {
        for (int bad : new int[] {-64, 1, 32, 63, 100, 1000}) {
            assertThrows(IllegalArgumentException.class, () -> new ReplayWindow(bad, false), "size " + bad);
        }
        for (int good : new int[] {0, 64, 128, 4096, 8192}) {
            assertEquals(good, new ReplayWindow(good, false).size());
        }
    }

    @Test
    void duplicatesAndNumbersBelowTheWindowAreRefused() {
        ReplayWindow w = new ReplayWindow(64, false);
        assertEquals(TOO_OLD, w.check(0), "0 is never sent (RFC 4303 section 3.3.3)");
        for (long s = 1; s <= 10; s++) {
            assertEquals(OK, w.accept(s));
        }
        assertEquals(REPLAY, w.check(5));
        assertEquals(REPLAY, w.accept(10));
        assertEquals(OK, w.accept(200));
        assertEquals(TOO_OLD, w.check(136), "200 - 136 = 64: just below a 64-packet window");
        assertEquals(OK, w.check(137), "the lowest number inside the window");
        assertEquals(OK, w.accept(137));
        assertEquals(REPLAY, w.accept(137));
        assertEquals(200, w.highest());
    }

    @Test
    void checkDoesNotRecordOnlyAcceptDoes() {
        ReplayWindow w = new ReplayWindow(64, false);
        assertEquals(OK, w.check(1_000_000));
        assertEquals(0, w.highest(), "checking a number far ahead moves nothing");
        assertEquals(OK, w.accept(5));
        assertEquals(OK, w.check(4));
    }

    @Test
    void aJumpFarAheadClearsTheWholeBitmap() {
        ReplayWindow w = new ReplayWindow(128, false);
        for (long s = 1; s <= 300; s++) {
            w.accept(s);
        }
        assertEquals(OK, w.accept(1_000_000_007L));
        for (long s = 1_000_000_007L - 127; s < 1_000_000_007L; s++) {
            assertEquals(OK, w.check(s), "nothing below the new top was received: " + s);
        }
        assertEquals(TOO_OLD, w.check(1_000_000_007L - 128));
    }

    /**
     * Random traffic against a plain model of RFC 4303 section 3.4.3: a set of received numbers
     * and the highest; a number is new if above the highest, too old if W or more below it,
     * else a replay exactly when in the set.
     */
    @ParameterizedTest
    @ValueSource(ints = {64, 128, 1024, 4096})
    void agreesWithTheRfcModelOnRandomTraffic(int size) {
        ReplayWindow w = new ReplayWindow(size, false);
        Set<Long> seen = new HashSet<>();
        long top = 0;
        SplittableRandom rnd = new SplittableRandom(size);
        long cursor = 1;
        for (int i = 0; i < 200_000; i++) {
            int kind = rnd.nextInt(10);
            long seq;
            if (kind < 5) {
                seq = cursor++;
            } else if (kind < 8) {
                seq = Math.max(1, top - rnd.nextInt(2 * size));
            } else if (kind < 9) {
                cursor += rnd.nextInt(3 * size);
                seq = cursor;
            } else {
                seq = top + 1 + rnd.nextInt(200);
            }
            int expected;
            if (seq > top) {
                expected = OK;
            } else if (top - seq >= size) {
                expected = TOO_OLD;
            } else {
                expected = seen.contains(seq) ? REPLAY : OK;
            }
            assertEquals(expected, w.check(seq), "check " + seq + " with top " + top);
            assertEquals(expected, w.accept(seq), "accept " + seq + " with top " + top);
            if (expected == OK) {
                seen.add(seq);
                top = Math.max(top, seq);
            }
            cursor = Math.max(cursor, top + 1);
        }
    }

    @Test
    void withoutEsnTheNumberIsTheLowHalf() {
        ReplayWindow w = new ReplayWindow(64, false);
        assertEquals(0xFFFF_FFFFL, w.sequence(-1));
        assertEquals(7, w.sequence(7));
    }

    /** RFC 4303 appendix A2.2 with W = 64. */
    @Test
    void esnHighHalfIsInferredAsAppendixA2Says() {
        ReplayWindow w = new ReplayWindow(64, true);
        // Empty window: T = 0, case B; anything at or above Bl = 0 - 63 (mod 2^32) would be in
        // subspace -1, which does not exist.
        assertEquals(5, w.sequence(5));
        assertEquals(0, w.sequence(0xFFFF_FFF0), "below zero: refused as 0");

        // Case A, window inside subspace 7: T = 7:1000, Bl = 937.
        w.resumeAfter(7L << 32 | 1000);
        assertEquals(7L << 32 | 937, w.sequence(937), "at Bl: same subspace");
        assertEquals(7L << 32 | 5000, w.sequence(5000), "ahead, same subspace");
        assertEquals(8L << 32 | 936, w.sequence(936), "below Bl: the next subspace");
        assertEquals(8L << 32 | 3, w.sequence(3));

        // Case B, window spanning subspaces 8 and 9: T = 9:10, Bl = 10 - 63 = 0xFFFFFFCB in 8.
        w.resumeAfter(9L << 32 | 10);
        assertEquals(8L << 32 | 0xFFFF_FFCBL, w.sequence(0xFFFF_FFCB), "at Bl: previous subspace");
        assertEquals(8L << 32 | 0xFFFF_FFFFL, w.sequence(-1));
        assertEquals(9L << 32 | 11, w.sequence(11), "ahead: same subspace");
        assertEquals(9L << 32 | 0xFFFF_FFCAL, w.sequence(0xFFFF_FFCA), "below Bl: same subspace, far ahead");
    }

    @Test
    void esnInferenceStopsAtTheEndOfTheSpace() {
        ReplayWindow w = new ReplayWindow(64, true);
        w.resumeAfter(0xFFFF_FFFF_FFFF_FFF0L);
        assertEquals(0xFFFF_FFFF_FFFF_FFFFL, w.sequence(-1));
        assertEquals(0, w.sequence(5), "would be subspace 2^32: refused");
    }

    @Test
    void esnWindowFollowsPacketsAcrossTheBoundary() {
        ReplayWindow w = new ReplayWindow(64, true);
        w.resumeAfter(0xFFFF_FFF0L);
        long before = w.sequence(0xFFFF_FFFA);
        assertEquals(0xFFFF_FFFAL, before);
        assertEquals(OK, w.accept(before));
        long after = w.sequence(3);
        assertEquals(1L << 32 | 3, after);
        assertEquals(OK, w.accept(after));
        long late = w.sequence(0xFFFF_FFFC);
        assertEquals(0xFFFF_FFFCL, late, "late packet from subspace 0, case B");
        assertEquals(OK, w.accept(late));
        assertEquals(REPLAY, w.accept(w.sequence(0xFFFF_FFFA)));
    }

    @Test
    void resumingCountsEverythingUpToTheTopAsReceived() {
        ReplayWindow w = new ReplayWindow(128, false);
        w.resumeAfter(1000);
        assertEquals(REPLAY, w.check(1000));
        assertEquals(REPLAY, w.check(873), "inside the window below the top");
        assertEquals(TOO_OLD, w.check(872));
        assertEquals(OK, w.accept(1003), "in the top's block, above it: new");
        assertEquals(OK, w.accept(1001), "numbers between the old top and the new one are still new");
        assertEquals(OK, w.accept(1002));
        w.resumeAfter(10);
        assertEquals(1003, w.highest(), "never moves back");
    }

    @Test
    void offAcceptsEverythingButStillTracksTheTop() {
        ReplayWindow w = new ReplayWindow(0, true);
        assertEquals(OK, w.accept(5));
        assertEquals(OK, w.accept(5));
        assertEquals(OK, w.accept(1));
        assertEquals(5, w.highest());
        assertEquals(5, w.sequence(5));
    }

    /** Four workers offer the same numbers in different orders: each is accepted exactly once. */
    @Test
    void concurrentAcceptsTakeEachNumberOnce() throws Exception {
        ReplayWindow w = new ReplayWindow(4096, false);
        int numbers = 200_000;
        AtomicInteger accepted = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            Future<?>[] f = new Future<?>[4];
            for (int t = 0; t < 4; t++) {
                int offset = t;
                f[t] = pool.submit(() -> {
                    for (int i = 1; i <= numbers; i++) {
                        // Each thread runs slightly shifted, so numbers race but stay in the window.
                        long seq = Math.max(1, i - offset * 3);
                        if (w.check(seq) == OK && w.accept(seq) == OK) {
                            accepted.incrementAndGet();
                        }
                    }
                });
            }
            for (Future<?> x : f) {
                x.get();
            }
        } finally {
            pool.shutdown();
        }
        assertEquals(numbers, accepted.get());
        assertEquals(numbers, w.highest());
    }
}
