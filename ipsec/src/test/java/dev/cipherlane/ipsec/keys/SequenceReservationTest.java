package dev.cipherlane.ipsec.keys;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cipherlane.linux.files.DurableFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The counter side of sequence persistence: numbering, blocks, refusals, crash and clean
 * restart, the 32-bit end of the space, concurrency. Stores run without their background
 * thread where a test needs to decide when a block is written.
 */
class SequenceReservationTest {
    private static final Duration HANG_GUARD = Duration.ofMinutes(2);
    private static final int SPI = 0x2001;

    @TempDir
    Path tmp;

    private final KeyFingerprint key = KeyMaterial.of(KeyFiles.material(7)).fingerprint();

    private long onDisk(Path dir, long limit) throws Exception {
        return SequenceStateFile.read(dir, key, limit).reservedThrough();
    }

    @Test
    void aNewKeyStartsAtOneAndStopsAtTheMarkUntilTheNextBlockIsOnDisk() throws Exception {
        Path dir = tmp.resolve("state");
        try (SequenceStore store = SequenceStore.open(dir, 64, false)) {
            SequenceReservation r = store.reserve(SPI, key, false);
            assertEquals(64, onDisk(dir, SequenceReservation.LIMIT_32), "first block persisted before any use");
            for (long expected = 1; expected <= 64; expected++) {
                assertEquals(expected, r.next());
            }
            assertEquals(SequenceReservation.PENDING, r.next());
            assertEquals(SequenceReservation.PENDING, r.tryAcquire(3));
            assertEquals(2, r.refusedPending());
            assertTrue(r.refill());
            assertEquals(128, onDisk(dir, SequenceReservation.LIMIT_32));
            assertEquals(65, r.next(), "refusals used up no number");
        }
    }

    @Test
    void theNextBlockIsRequestedOnceHalfOfTheCurrentOneIsUsed() throws Exception {
        try (SequenceStore store = SequenceStore.open(tmp.resolve("state"), 64, false)) {
            SequenceReservation r = store.reserve(SPI, key, false);
            for (int i = 1; i < 32; i++) {
                r.next();
            }
            assertFalse(r.refillRequested());
            assertFalse(r.refill(), "nothing to do before half the block is used");
            assertEquals(32, r.next());
            assertTrue(r.refillRequested());
            assertTrue(r.refill());
            assertFalse(r.refillRequested());
            assertEquals(128, r.mark());
        }
    }

    @Test
    void rangesAreConsecutiveAndNeverCrossTheMark() throws Exception {
        try (SequenceStore store = SequenceStore.open(tmp.resolve("state"), 64, false)) {
            SequenceReservation r = store.reserve(SPI, key, false);
            assertEquals(1, r.tryAcquire(30));
            assertEquals(31, r.tryAcquire(30));
            assertEquals(SequenceReservation.PENDING, r.tryAcquire(5), "61..65 would cross 64");
            assertEquals(61, r.tryAcquire(4));
            assertTrue(r.refill());
            assertEquals(65, r.tryAcquire(5));
        }
    }

    @Test
    void aCrashLeavesAMarkAboveEveryNumberUsed() throws Exception {
        Path dir = tmp.resolve("state");
        Path afterCrash = tmp.resolve("after-crash");
        long used = 0;
        try (SequenceStore store = SequenceStore.open(dir, 1000, true)) {
            SequenceReservation r = store.reserve(SPI, key, false);
            long target = 5000 + new SplittableRandom().nextInt(20_000);
            while (used < target) {
                long s = r.next();
                if (s > 0) {
                    assertEquals(used + 1, s);
                    used = s;
                } else {
                    assertEquals(SequenceReservation.PENDING, s);
                    Thread.onSpinWait();
                }
            }
            // What a kill -9 leaves: the state files as they are now (the lock dies with the
            // process). A temp file from a write cut short lies next to them.
            Files.createDirectory(afterCrash);
            Files.setPosixFilePermissions(afterCrash, PosixFilePermissions.fromString("rwx------"));
            Path file = store.stateFile(key);
            Files.copy(file, afterCrash.resolve(file.getFileName()), StandardCopyOption.COPY_ATTRIBUTES);
            Files.writeString(afterCrash.resolve(file.getFileName() + ".tmp"), "version 1\nspi 0x0000");
        }
        try (SequenceStore store = SequenceStore.open(afterCrash, 1000, false)) {
            long mark = onDisk(afterCrash, SequenceReservation.LIMIT_32);
            assertTrue(mark >= used, "mark " + mark + " below used " + used);
            SequenceReservation r = store.reserve(SPI, key, false);
            long first = r.next();
            assertEquals(mark + 1, first);
            assertTrue(first > used);
        }
    }

    @Test
    void aCleanRestartContinuesRightAfterTheLastNumberUsed() throws Exception {
        Path dir = tmp.resolve("state");
        long last;
        try (SequenceStore store = SequenceStore.open(dir, 1000, true)) {
            SequenceReservation r = store.reserve(SPI, key, false);
            last = r.tryAcquire(123) + 122;
        }
        assertEquals(last, onDisk(dir, SequenceReservation.LIMIT_32));
        try (SequenceStore store = SequenceStore.open(dir, 1000, true)) {
            SequenceReservation r = store.reserve(SPI, key, false);
            assertEquals(last + 1, r.next());
            r.close();
            assertEquals(SequenceReservation.CLOSED, r.next());
            assertEquals(last + 1, onDisk(dir, SequenceReservation.LIMIT_32));
        }
    }

    @Test
    void withoutEsnTheSpaceEndsAt2To32Minus1() throws Exception {
        Path dir = tmp.resolve("state");
        try (SequenceStore store = SequenceStore.open(dir, 64, false)) {
            store.persist(SPI, key, SequenceReservation.LIMIT_32 - 40);
            SequenceReservation r = store.reserve(SPI, key, false);
            assertEquals(SequenceReservation.LIMIT_32, r.mark(), "the block is cut at the end of the space");
            assertEquals(SequenceReservation.LIMIT_32 - 39, r.tryAcquire(38));
            assertEquals(2, r.remaining());
            assertEquals(SequenceReservation.EXHAUSTED, r.tryAcquire(3));
            assertEquals(SequenceReservation.LIMIT_32 - 1, r.next());
            assertEquals(SequenceReservation.LIMIT_32, r.next());
            assertEquals(SequenceReservation.EXHAUSTED, r.next());
            assertEquals(0, r.remaining());
            assertFalse(r.refill());
        }
        try (SequenceStore store = SequenceStore.open(dir, 64, false)) {
            SequenceReservation r = store.reserve(SPI, key, false);
            assertEquals(SequenceReservation.EXHAUSTED, r.next(), "a used-up key stays used up after a restart");
        }
    }

    @Test
    void withEsnTheCounterGoesOnPast2To32() throws Exception {
        try (SequenceStore store = SequenceStore.open(tmp.resolve("state"), 64, false)) {
            store.persist(SPI, key, SequenceReservation.LIMIT_32 - 1);
            SequenceReservation r = store.reserve(SPI, key, true);
            assertEquals(SequenceReservation.LIMIT_32, r.next());
            assertEquals(SequenceReservation.LIMIT_32 + 1, r.next());
        }
    }

    @Test
    void anUnpersistedReservationCountsFromOneWithoutTouchingDisk() {
        SequenceReservation r = SequenceReservation.unpersisted(SPI, false);
        assertEquals(1, r.next());
        assertEquals(2, r.tryAcquire(256));
        assertEquals(258, r.next());
        assertEquals(SequenceReservation.LIMIT_32, r.mark());
        assertNull(r.key());
        r.close();
        assertEquals(SequenceReservation.CLOSED, r.next());
    }

    @Test
    void aKeyIsReservedOnceAndADirectoryOpenedOnce() throws Exception {
        Path dir = tmp.resolve("state");
        try (SequenceStore store = SequenceStore.open(dir, 64, false)) {
            SequenceReservation r = store.reserve(SPI, key, false);
            assertEquals(1, r.next());
            SequenceStateException twice = assertThrows(SequenceStateException.class,
                    () -> store.reserve(0x3001, key, false));
            assertTrue(twice.getMessage().contains("key " + key + " is already reserved (spi 0x00002001)"),
                    twice.getMessage());
            SequenceStateException again = assertThrows(SequenceStateException.class,
                    () -> SequenceStore.open(dir, 64, false));
            assertEquals(dir + ": already open in this process, expected one store per directory", again.getMessage());
            r.close();
            // The same key with a new SPI continues the numbers: the nonce does not contain the SPI.
            SequenceReservation moved = store.reserve(0x3001, key, false);
            assertEquals(2, moved.next());
        }
    }

    @Test
    void concurrentAcquirersNeverShareANumber() throws Exception {
        Path dir = tmp.resolve("state");
        int threads = 4;
        long perThread = 500_000;
        List<long[]> ranges = new ArrayList<>();
        try (SequenceStore store = SequenceStore.open(dir, 4096, true)) {
            SequenceReservation r = store.reserve(SPI, key, false);
            CountDownLatch start = new CountDownLatch(1);
            List<Thread> ts = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                long[] mine = new long[(int) (2 * perThread)];
                ranges.add(mine);
                long seed = t;
                ts.add(Thread.ofPlatform().start(() -> {
                    SplittableRandom rnd = new SplittableRandom(seed);
                    try {
                        start.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    long got = 0;
                    int k = 0;
                    while (got < perThread) {
                        int n = 1 + rnd.nextInt(16);
                        long first = r.tryAcquire(n);
                        if (first > 0) {
                            mine[k++] = first;
                            mine[k++] = n;
                            got += n;
                        } else {
                            Thread.onSpinWait();
                        }
                    }
                }));
            }
            start.countDown();
            for (Thread t : ts) {
                t.join(HANG_GUARD);
                assertFalse(t.isAlive(), "acquirer hung");
            }
            long mark = onDisk(dir, SequenceReservation.LIMIT_32);
            List<long[]> all = new ArrayList<>();
            for (long[] mine : ranges) {
                for (int i = 0; i < mine.length && mine[i] != 0; i += 2) {
                    all.add(new long[] {mine[i], mine[i + 1]});
                }
            }
            all.sort((a, b) -> Long.compare(a[0], b[0]));
            long total = 0;
            for (int i = 0; i < all.size(); i++) {
                long[] a = all.get(i);
                total += a[1];
                assertTrue(a[0] + a[1] - 1 <= mark, "number " + (a[0] + a[1] - 1) + " above the mark on disk " + mark);
                if (i + 1 < all.size()) {
                    assertTrue(a[0] + a[1] <= all.get(i + 1)[0], "ranges overlap at " + a[0]);
                }
            }
            assertTrue(total >= threads * perThread);
        }
    }

    @Test
    void numbersHandedOutNeverExceedWhatIsOnDisk() throws Exception {
        Path dir = tmp.resolve("state");
        try (SequenceStore store = SequenceStore.open(dir, 256, true)) {
            SequenceReservation r = store.reserve(SPI, key, false);
            long used = 0;
            int checks = 0;
            while (used < 200_000) {
                long s = r.next();
                if (s < 0) {
                    Thread.onSpinWait();
                    continue;
                }
                used = s;
                if (s % 61 == 0) {
                    long disk = onDisk(dir, SequenceReservation.LIMIT_32);
                    assertTrue(s <= disk, s + " handed out with only " + disk + " on disk");
                    checks++;
                }
            }
            assertTrue(checks > 3000);
        }
    }

    @Test
    void aFailedWriteKeepsRefusingThenRecovers() throws Exception {
        Path dir = tmp.resolve("state");
        try (SequenceStore store = SequenceStore.open(dir, 64, true)) {
            SequenceReservation r = store.reserve(SPI, key, false);
            // A non-empty directory where the temp file goes makes every write fail.
            Path temp = DurableFile.temporary(store.stateFile(key));
            Files.createDirectories(temp.resolve("obstacle"));
            long used = r.tryAcquire(64) + 63;
            assertEquals(64, used);
            await().atMost(HANG_GUARD).until(() -> r.lastError() != null);
            assertEquals(SequenceReservation.PENDING, r.next());
            assertEquals(64, onDisk(dir, SequenceReservation.LIMIT_32));

            Files.delete(temp.resolve("obstacle"));
            Files.delete(temp);
            await().atMost(HANG_GUARD).until(() -> r.next() == 65);
            assertNull(r.lastError());
            assertTrue(onDisk(dir, SequenceReservation.LIMIT_32) >= 65);
        }
    }

    @Test
    void theDataPathAllocatesNothing() throws Exception {
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        try (SequenceStore store = SequenceStore.open(tmp.resolve("state"), SequenceStore.BLOCK_MAX, false)) {
            SequenceReservation persisted = store.reserve(SPI, key, true);
            SequenceReservation negotiated = SequenceReservation.unpersisted(0x3001, true);
            long sum = 0;
            for (int round = 0; round < 2; round++) {
                long before = threads.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < 1_000_000; i++) {
                    sum += persisted.next() + negotiated.tryAcquire(4);
                }
                long allocated = threads.getCurrentThreadAllocatedBytes() - before;
                if (round == 1) {
                    assertTrue(allocated < 1024, allocated + " bytes allocated by 2,000,000 acquires");
                }
            }
            assertEquals(2_000_001, persisted.peekNext());
            assertTrue(sum > 0);
        }
    }

    @Test
    void blockSizeIsValidated() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SequenceStore.open(tmp.resolve("state"), 8, false));
        assertEquals(SequenceStore.BLOCK_NAME + " must be in [16, 1073741824], got 8", e.getMessage());
        assertFalse(Files.exists(tmp.resolve("state")), "nothing created for a refused setting");
    }
}
