package dev.cipherlane.tap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cipherlane.linux.EventFd;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The idle strategy without taps: an eventfd stands in for a tap queue (epoll treats every
 * readable descriptor alike). The tap itself is exercised in {@link TapNamespaceTest}.
 */
class EpollIdleTest {
    /** A sleep this long never ends by timeout within a test; an early return proves a wake-up. */
    private static final int LONG_TIMEOUT_MS = 60_000;

    @Test
    void anIdleWorkerSleepsInsteadOfSpinning() throws Exception {
        try (EpollIdle idle = EpollIdle.open(1000, 100)) {
            AtomicLong cpuNanos = new AtomicLong();
            AtomicLong wallNanos = new AtomicLong();
            Thread worker = Thread.ofPlatform().start(() -> {
                ThreadMXBean mx = ManagementFactory.getThreadMXBean();
                long cpu0 = mx.getCurrentThreadCpuTime();
                long t0 = System.nanoTime();
                long end = t0 + TimeUnit.SECONDS.toNanos(2);
                while (System.nanoTime() < end) {
                    idle.idle(0);
                }
                cpuNanos.set(mx.getCurrentThreadCpuTime() - cpu0);
                wallNanos.set(System.nanoTime() - t0);
            });
            worker.join();
            // Lenient on purpose: a spinning loop would be near 100%; sleeping is near 0.
            assertTrue(cpuNanos.get() < wallNanos.get() / 2,
                    "idle worker used " + cpuNanos.get() / 1_000_000 + " ms CPU in "
                            + wallNanos.get() / 1_000_000 + " ms");
            // 2 s of 100 ms sleeps: about 20 waits, none ended by an event.
            assertTrue(idle.sleeps() >= 5, "sleeps: " + idle.sleeps());
            assertEquals(0, idle.wakeups());
        }
    }

    @Test
    void wakeEndsASleepEarly() throws Exception {
        try (EpollIdle idle = EpollIdle.open(10, LONG_TIMEOUT_MS)) {
            Thread worker = sleepUntilWoken(idle);
            awaitSleepy(idle);
            idle.wake();
            worker.join(10_000);
            assertFalse(worker.isAlive(), "worker still asleep after wake()");
            assertEquals(1, idle.wakeups());
        }
    }

    @Test
    void aReadableWatchedDescriptorEndsASleep() throws Exception {
        try (EpollIdle idle = EpollIdle.open(10, LONG_TIMEOUT_MS); EventFd queue = EventFd.open()) {
            idle.watch(queue.fd());
            Thread worker = sleepUntilWoken(idle);
            awaitSleepy(idle);
            queue.signal();
            worker.join(10_000);
            assertFalse(worker.isAlive(), "worker still asleep with a readable queue");
            assertEquals(1, idle.wakeups());
            idle.unwatch(queue.fd());
        }
    }

    @Test
    void aSignalBeforeTheSleepIsNotLost() throws Exception {
        try (EpollIdle idle = EpollIdle.open(0, LONG_TIMEOUT_MS)) {
            idle.idle(0);
            assertTrue(idle.sleepy(), "the first empty round after the spins announces sleep");
            idle.wake();
            // The worker reaches epoll_wait only now; the eventfd still holds the signal.
            Thread worker = sleepUntilWoken(idle);
            worker.join(10_000);
            assertFalse(worker.isAlive(), "wake-up before the sleep was lost");
            assertEquals(1, idle.wakeups());
        }
    }

    @Test
    void wakeDoesNotSignalABusyWorker() throws Exception {
        try (EpollIdle idle = EpollIdle.open(0, 200)) {
            assertFalse(idle.sleepy());
            idle.wake();
            idle.idle(0);
            assertTrue(idle.sleepy());
            long t0 = System.nanoTime();
            idle.idle(0);
            long sleptMs = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(1, idle.sleeps());
            assertEquals(0, idle.wakeups(), "wake() of a busy worker must not leave a signal behind");
            assertTrue(sleptMs >= 100, "slept only " + sleptMs + " ms");
        }
    }

    @Test
    void workCancelsTheAnnouncement() throws Exception {
        try (EpollIdle idle = EpollIdle.open(3, 100)) {
            for (int i = 0; i < 3; i++) {
                idle.idle(0);
                assertFalse(idle.sleepy(), "still spinning after " + (i + 1) + " empty rounds");
            }
            idle.idle(0);
            assertTrue(idle.sleepy());
            idle.idle(5);
            assertFalse(idle.sleepy());
            assertEquals(0, idle.sleeps());
        }
    }

    @Test
    void rejectsBadSettings() {
        assertThrows(IllegalArgumentException.class, () -> EpollIdle.open(-1, 100));
        assertThrows(IllegalArgumentException.class, () -> EpollIdle.open(10, 0));
    }

    /** A worker thread idling with no work until one sleep ends by an event. */
    private static Thread sleepUntilWoken(EpollIdle idle) {
        // A failure ends the thread with wakeups() still 0, which the callers assert.
        return Thread.ofPlatform().start(() -> {
            while (idle.wakeups() == 0) {
                idle.idle(0);
            }
        });
    }

    private static void awaitSleepy(EpollIdle idle) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!idle.sleepy() && System.nanoTime() < end) {
            Thread.sleep(1);
        }
        assertTrue(idle.sleepy(), "worker never announced sleep");
        // Give it time to enter epoll_wait; the test passes either way (the signal is level).
        Thread.sleep(50);
    }
}
