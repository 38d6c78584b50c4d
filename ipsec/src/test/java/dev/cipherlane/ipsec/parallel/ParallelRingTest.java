package dev.cipherlane.ipsec.parallel;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cipherlane.stages.buffer.BufferCache;
import dev.cipherlane.stages.buffer.PacketMemory;
import dev.cipherlane.stages.graph.Frame;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The ring on its own: the test thread is producer and consumer (as one worker that submits
 * and completes its own packets would be), the crypto threads are real. Waits only keep a
 * broken build from hanging; no assertion depends on how fast anything runs.
 */
class ParallelRingTest {
    private static final Duration HANG_GUARD = Duration.ofMinutes(3);
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    /** What the test consumer saw: packets in order, results, and each freed. */
    private static final class Collector implements ParallelRing.Completion<BufferCache, Object> {
        final PacketMemory mem;
        long next;
        long received;
        long failed;
        String violation;

        Collector(PacketMemory mem) {
            this.mem = mem;
        }

        @Override
        public void accept(BufferCache cache, PacketJob<Object> job, int[] bis, int[] results, int n) {
            for (int i = 0; i < n; i++) {
                int bi = bis[i];
                long seq = TestPackets.sequence(mem, bi);
                if (violation == null && seq != next) {
                    violation = "expected " + next + ", got " + seq;
                }
                if (violation == null && results[i] == PacketJob.PASS && mem.u32(bi, TestPackets.RUNS) != 1) {
                    violation = "packet " + seq + " processed " + mem.u32(bi, TestPackets.RUNS) + " times";
                }
                if (results[i] != PacketJob.PASS) {
                    failed++;
                }
                next = seq + 1;
                cache.free(bi);
            }
            received += n;
        }
    }

    private static int fill(BufferCache cache, PacketMemory mem, int[] frame, int n, long[] seq) {
        int made = 0;
        while (made < n) {
            int bi = cache.allocSmall();
            if (bi < 0) {
                break;
            }
            TestPackets.fill(mem, bi, 0, seq[0]++);
            frame[made++] = bi;
        }
        return made;
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3, 4})
    void batchesComeBackInOrderWhicheverThreadFinishesFirst(int threads) {
        long total = 300_000;
        try (PacketMemory mem = new PacketMemory(8192, 0);
             ParallelRing<Object> ring = new ParallelRing<>("order", mem, 1024, threads, k -> new Object())) {
            BufferCache cache = mem.newCache();
            Collector c = new Collector(mem);
            DelayJob job = new DelayJob(64, 200_000);
            SplittableRandom rnd = new SplittableRandom(threads);
            int[] frame = new int[Frame.CAPACITY];
            long[] seq = {0};
            assertTimeoutPreemptively(HANG_GUARD, () -> {
                while (c.received < total) {
                    if (seq[0] < total) {
                        int want = (int) Math.min(1 + rnd.nextInt(Frame.CAPACITY), total - seq[0]);
                        long before = seq[0];
                        int n = fill(cache, mem, frame, want, seq);
                        if (n > 0 && !ring.offer(frame, 0, n, job)) {
                            cache.free(frame, 0, n);
                            seq[0] = before;
                        }
                    }
                    ring.poll(c, cache, Frame.CAPACITY);
                }
            });
            assertNull(c.violation);
            assertEquals(total, c.received);
            assertEquals(0, c.failed);
            cache.close();
            assertEquals(0, mem.inUse());
        }
    }

    @Test
    void aFullRingRefusesWithoutWaitingAndLosesNothing() throws Exception {
        int slots = ParallelRing.SIZE_MIN;
        CountDownLatch release = new CountDownLatch(1);
        PacketJob<Object> held = (engine, mem, bi, thread) -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            mem.u32(bi, TestPackets.RUNS, mem.u32(bi, TestPackets.RUNS) + 1);
            return PacketJob.PASS;
        };
        try (PacketMemory mem = new PacketMemory(4096, 0);
             ParallelRing<Object> ring = new ParallelRing<>("full", mem, slots, 2, k -> new Object())) {
            BufferCache cache = mem.newCache();
            int[] frame = new int[4];
            long[] seq = {0};
            int accepted = assertTimeoutPreemptively(HANG_GUARD, () -> {
                int ok = 0;
                for (int b = 0; b < 100; b++) {
                    int n = fill(cache, mem, frame, 4, seq);
                    if (ring.offer(frame, 0, n, held)) {
                        ok++;
                    } else {
                        cache.free(frame, 0, n);
                    }
                }
                return ok;
            });
            assertEquals(slots, accepted, "the ring holds exactly its slots while nothing completes");
            assertEquals(0, ring.remainingCapacity());
            Collector c = new Collector(mem);
            assertEquals(0, ring.poll(c, cache, 1000), "nothing completed while the jobs are held");
            release.countDown();
            await().atMost(HANG_GUARD).until(() -> {
                ring.poll(c, cache, 1000);
                return c.received == 4L * slots;
            });
            assertNull(c.violation);
            assertEquals(4L * slots, c.next, "the first 64 batches, in order");
            assertEquals(slots, ring.remainingCapacity());
            cache.close();
            assertEquals(0, mem.inUse());
        }
    }

    @Test
    void shutdownFreesPacketsInFlightAndStopsTheThreads() throws Exception {
        PacketJob<Object> slow = (engine, mem, bi, thread) -> {
            LockSupport.parkNanos(1_000_000);
            mem.u32(bi, TestPackets.RUNS, mem.u32(bi, TestPackets.RUNS) + 1);
            return PacketJob.PASS;
        };
        try (PacketMemory mem = new PacketMemory(4096, 0)) {
            ParallelRing<Object> ring = new ParallelRing<>("stop", mem, 256, 2, k -> new Object());
            BufferCache cache = mem.newCache();
            int[] frame = new int[16];
            long[] seq = {0};
            for (int b = 0; b < 50; b++) {
                int n = fill(cache, mem, frame, 16, seq);
                assertTrue(ring.offer(frame, 0, n, slow));
            }
            Collector c = new Collector(mem);
            await().atMost(HANG_GUARD).until(() -> {
                ring.poll(c, cache, 1);
                return c.received > 0;
            });
            int freed = ring.shutdown();
            assertTrue(freed > 0, "packets were still in flight");
            assertEquals(800, c.received + freed, "every packet delivered or freed, once");
            for (Thread t : ring.cryptoThreads()) {
                assertFalse(t.isAlive(), t.getName() + " still running");
            }
            int n = fill(cache, mem, frame, 16, seq);
            assertFalse(ring.offer(frame, 0, n, slow), "a closed ring takes nothing");
            cache.free(frame, 0, n);
            assertEquals(0, ring.poll(c, cache, 1000));
            assertEquals(0, ring.shutdown(), "a second shutdown has nothing left to do");
            cache.close();
            assertEquals(0, mem.inUse());
        }
    }

    @Test
    void idleCryptoThreadsParkAndWakeForTheNextBatch() throws Exception {
        try (PacketMemory mem = new PacketMemory(1024, 0);
             ParallelRing<Object> ring = new ParallelRing<>("idle", mem, 64, 2, k -> new Object())) {
            BufferCache cache = mem.newCache();
            Collector c = new Collector(mem);
            int[] frame = new int[8];
            long[] seq = {0};
            Thread[] crypto = ring.cryptoThreads();
            for (int round = 1; round <= 3; round++) {
                // Parked means WAITING or TIMED_WAITING; a spinning thread stays RUNNABLE.
                await().atMost(HANG_GUARD).until(() -> {
                    for (Thread t : crypto) {
                        if (t.getState() != Thread.State.TIMED_WAITING && t.getState() != Thread.State.WAITING) {
                            return false;
                        }
                    }
                    return true;
                });
                long cpu0 = cpu(crypto);
                long wall0 = System.nanoTime();
                Thread.sleep(500);
                long idleCpu = cpu(crypto) - cpu0;
                long wall = System.nanoTime() - wall0;
                System.out.printf("idle crypto threads (2): %.2f ms CPU in %.0f ms (%.3f%% of one core)%n",
                        idleCpu / 1e6, wall / 1e6, 100.0 * idleCpu / wall);
                // Both parked threads must be woken: two batches land on both of them.
                for (int b = 0; b < 2; b++) {
                    int n = fill(cache, mem, frame, 8, seq);
                    assertTrue(ring.offer(frame, 0, n, new DelayJob(1_000_000, 1)));
                }
                int expected = 16 * round;
                await().atMost(HANG_GUARD).until(() -> {
                    ring.poll(c, cache, 100);
                    return c.received == expected;
                });
            }
            assertNull(c.violation);
            cache.close();
            assertEquals(0, mem.inUse());
        }
    }

    private static long cpu(Thread[] threads) {
        long sum = 0;
        for (Thread t : threads) {
            sum += THREADS.getThreadCpuTime(t.threadId());
        }
        return sum;
    }

    @Test
    void jobsThatThrowFailTheirPacketsButNotTheThreads() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        PacketJob<Object> flaky = (engine, mem, bi, thread) -> {
            mem.u32(bi, TestPackets.RUNS, mem.u32(bi, TestPackets.RUNS) + 1);
            long seq = TestPackets.sequence(mem, bi);
            calls.incrementAndGet();
            if (seq == 100) {
                throw new StackOverflowError("not a RuntimeException: fails the whole batch");
            }
            if (seq % 10 == 0) {
                throw new IllegalArgumentException("packet " + seq);
            }
            return PacketJob.PASS;
        };
        try (PacketMemory mem = new PacketMemory(4096, 0);
             ParallelRing<Object> ring = new ParallelRing<>("flaky", mem, 64, 2, k -> new Object())) {
            BufferCache cache = mem.newCache();
            int[] frame = new int[20];
            long[] seq = {0};
            List<int[]> results = new ArrayList<>();
            ParallelRing.Completion<BufferCache, Object> keep = (cc, job, bis, res, n) -> {
                for (int i = 0; i < n; i++) {
                    results.add(new int[] {(int) TestPackets.sequence(mem, bis[i]), res[i]});
                    cc.free(bis[i]);
                }
            };
            for (int b = 0; b < 10; b++) {
                int n = fill(cache, mem, frame, 20, seq);
                assertTrue(ring.offer(frame, 0, n, flaky));
            }
            await().atMost(HANG_GUARD).until(() -> {
                ring.poll(keep, cache, 1000);
                return results.size() == 200;
            });
            for (int[] r : results) {
                int s = r[0];
                int expected = s >= 100 && s < 120 ? ParallelRing.JOB_THREW   // batch 5 failed whole
                        : s % 10 == 0 ? ParallelRing.JOB_THREW : PacketJob.PASS;
                assertEquals(expected, r[1], "packet " + s);
            }
            // 18 packets threw one by one (0, 10, ..., 190 without 100 and 110), one batch failed whole.
            assertEquals(19, ring.jobFailures());
            assertTrue(ring.firstJobFailure() != null);
            for (Thread t : ring.cryptoThreads()) {
                assertTrue(t.isAlive(), t.getName() + " died");
            }
            cache.close();
            assertEquals(0, mem.inUse());
        }
    }

    @Test
    void eachCryptoThreadUsesTheEngineMadeForIt() throws Exception {
        List<ChecksumEngine> engines = new ArrayList<>();
        long key = 0x5eed;
        try (PacketMemory mem = new PacketMemory(4096, 0);
             ParallelRing<ChecksumEngine> ring = new ParallelRing<>("engines", mem, 256, 2, k -> {
                 ChecksumEngine e = new ChecksumEngine(k, key);
                 engines.add(e);
                 return e;
             })) {
            assertEquals(2, engines.size());
            assertEquals(0, engines.get(0).thread);
            assertEquals(1, engines.get(1).thread);
            BufferCache cache = mem.newCache();
            ChecksumJob job = new ChecksumJob(1, false);
            int[] frame = new int[32];
            long[] seq = {0};
            long[] got = {0};
            String[] bad = {null};
            ParallelRing.Completion<BufferCache, ChecksumEngine> check = (cc, j, bis, res, n) -> {
                for (int i = 0; i < n; i++) {
                    if (TestPackets.tag(mem, bis[i]) != TestPackets.checksum(mem, bis[i], key, 1)) {
                        bad[0] = "wrong checksum";
                    }
                    cc.free(bis[i]);
                }
                got[0] += n;
            };
            for (int b = 0; b < 100; b++) {
                int n = fill(cache, mem, frame, 32, seq);
                assertTrue(ring.offer(frame, 0, n, job));
                ring.poll(check, cache, 1000);
            }
            await().atMost(HANG_GUARD).until(() -> {
                ring.poll(check, cache, 1000);
                return got[0] == 3200;
            });
            assertNull(bad[0]);
            for (ChecksumEngine e : engines) {
                assertNull(e.misuse());
                // Slot s goes to thread s mod 2: 50 batches of 32 each.
                assertEquals(1600, e.packets);
            }
            cache.close();
            assertEquals(0, mem.inUse());
        }
    }

    @Test
    void offerAndPollAllocateNothing() throws Exception {
        try (PacketMemory mem = new PacketMemory(4096, 0);
             ParallelRing<Object> ring = new ParallelRing<>("alloc", mem, 256, 2, k -> new Object())) {
            BufferCache cache = mem.newCache();
            PacketJob<Object> touch = (engine, m, bi, thread) -> {
                m.u32(bi, TestPackets.RUNS, m.u32(bi, TestPackets.RUNS) + 1);
                return PacketJob.PASS;
            };
            long[] got = {0};
            ParallelRing.Completion<BufferCache, Object> free = (cc, job, bis, res, n) -> {
                cc.free(bis, 0, n);
                got[0] += n;
            };
            int[] frame = new int[64];
            long[] seq = {0};
            Runnable rounds = () -> {
                for (int r = 0; r < 50_000; r++) {
                    int n = fill(cache, mem, frame, 64, seq);
                    if (n > 0 && !ring.offer(frame, 0, n, touch)) {
                        cache.free(frame, 0, n);
                    }
                    ring.poll(free, cache, 256);
                }
            };
            rounds.run();
            Thread[] crypto = ring.cryptoThreads();
            long cryptoBefore = allocated(crypto);
            long before = THREADS.getCurrentThreadAllocatedBytes();
            rounds.run();
            long producer = THREADS.getCurrentThreadAllocatedBytes() - before;
            await().atMost(HANG_GUARD).until(() -> {
                ring.poll(free, cache, 1 << 20);
                return ring.remainingCapacity() == ring.capacity();
            });
            long cryptoThreads = allocated(crypto) - cryptoBefore;
            assertTrue(producer < 1024, producer + " bytes allocated by 50,000 offer/poll rounds");
            assertTrue(cryptoThreads < 4096, cryptoThreads + " bytes allocated by the crypto threads");
            cache.close();
            assertEquals(0, mem.inUse());
        }
    }

    private static long allocated(Thread[] threads) {
        long sum = 0;
        for (Thread t : threads) {
            sum += THREADS.getThreadAllocatedBytes(t.threadId());
        }
        return sum;
    }

    @Test
    void settingsAreValidated() throws Exception {
        int cores = Runtime.getRuntime().availableProcessors();
        IllegalArgumentException zero = assertThrows(IllegalArgumentException.class,
                () -> ParallelRing.validateThreads(0));
        assertEquals(ParallelRing.THREADS_NAME + " must be in [1, " + cores
                + "] (the processors of this machine), got 0", zero.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ParallelRing.validateThreads(cores + 1));
        assertEquals(cores, ParallelRing.validateThreads(cores));
        IllegalArgumentException size = assertThrows(IllegalArgumentException.class,
                () -> ParallelRing.validateSize(100));
        assertEquals(ParallelRing.SIZE_NAME + " must be a power of two in [64, 65536], got 100", size.getMessage());
        try (PacketMemory mem = new PacketMemory(64, 0)) {
            assertThrows(IllegalArgumentException.class,
                    () -> new ParallelRing<>("x", mem, 64, 0, k -> new Object()));
            try (ParallelRing<Object> ring = new ParallelRing<>("x", mem, 64, 1, k -> new Object())) {
                assertTrue(ring.offer(new int[1], 0, 0, (e, m, b, t) -> 0), "an empty batch is nothing to hand over");
                assertEquals(ring.capacity(), ring.remainingCapacity());
                assertThrows(IllegalArgumentException.class,
                        () -> ring.offer(new int[300], 0, 257, (e, m, b, t) -> 0));
            }
        }
    }
}
