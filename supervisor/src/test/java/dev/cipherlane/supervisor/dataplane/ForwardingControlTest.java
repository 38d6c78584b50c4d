package dev.cipherlane.supervisor.dataplane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

class ForwardingControlTest {
    private static final long PERIOD_MS = 1;

    @Test
    void runsNothingUntilStartedThenEveryTaskUntilClosed() throws InterruptedException {
        AtomicInteger resolves = new AtomicInteger();
        AtomicInteger ageing = new AtomicInteger();
        AtomicReference<Thread> ranOn = new AtomicReference<>();
        CountDownLatch solicited = new CountDownLatch(3);
        CountDownLatch aged = new CountDownLatch(3);
        ForwardingControl control = new ForwardingControl(resolves::incrementAndGet, PERIOD_MS)
                .every(new ForwardingControl.Task("neighbour ageing", PERIOD_MS, () -> {
                    ageing.incrementAndGet();
                    ranOn.set(Thread.currentThread());
                    aged.countDown();
                }))
                .every(new ForwardingControl.Task("underlay solicitation", 0, solicited::countDown));
        try {
            // Built idle: nothing runs, and a neighbour change waits for the start.
            control.neighbourChanged();
            Thread.sleep(10 * PERIOD_MS);
            assertEquals(0, resolves.get());
            assertEquals(0, ageing.get());

            control.start();
            assertTrue(aged.await(5, TimeUnit.SECONDS), "ageing runs every period once started");
            assertTrue(solicited.await(5, TimeUnit.SECONDS), "solicitation runs every period once started");
            assertEquals(ForwardingControl.THREAD_NAME, ranOn.get().getName());
            assertEquals(1, resolves.get(), "the change before the start is resolved once");

            control.neighbourChanged();
            waitFor(() -> resolves.get() == 2);
        } finally {
            control.close();
        }
        int agedAtClose = ageing.get();
        // close waits for the running task; the pool's thread then ends on its own, moments later.
        ranOn.get().join(5000);
        assertFalse(ranOn.get().isAlive(), "the control thread ends after close");
        control.neighbourChanged();
        // Nothing is left to run: a few periods later the counts have not moved.
        Thread.sleep(10 * PERIOD_MS);
        assertEquals(agedAtClose, ageing.get());
        assertEquals(2, resolves.get());
    }

    @Test
    void startsOnceAndTakesNoTaskAfterTheStart() throws InterruptedException {
        ForwardingControl control = new ForwardingControl(() -> {}, PERIOD_MS);
        try {
            control.start();
            assertThrows(IllegalStateException.class, control::start);
            assertThrows(IllegalStateException.class,
                    () -> control.every(new ForwardingControl.Task("late", 0, () -> {})));
        } finally {
            control.close();
        }
        control.close();
        assertThrows(IllegalStateException.class, control::start);
        assertThrows(IllegalArgumentException.class, () -> new ForwardingControl(() -> {}, 0));
    }

    private static void waitFor(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "condition not met within 5 s");
            Thread.sleep(1);
        }
    }
}
