package dev.cipherlane.supervisor.dataplane;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cipherlane.stages.buffer.BufferCache;
import dev.cipherlane.stages.buffer.PacketMemory;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The punt queue's end: built idle, drains once started, leaves no buffer behind on close. */
class ControlPuntTest {
    private static boolean puntThreadAlive() {
        return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals("cl-punt") && t.isAlive());
    }

    @Test
    void builtIdleThenDrainsOnceStarted() throws Exception {
        try (PacketMemory mem = new PacketMemory(64, 0)) {
            BufferCache cache = mem.newCache();
            ControlPunt punt = new ControlPunt(mem, 64);
            try {
                assertFalse(puntThreadAlive(), "no thread before start");
                assertTrue(punt.offer(cache.allocSmall()));
                assertEquals(0, punt.received());
                punt.start();
                await().atMost(Duration.ofSeconds(10)).until(() -> punt.received() == 1);
            } finally {
                punt.close();
                cache.close();
            }
            assertEquals(0, mem.inUse());
        }
    }

    @Test
    void closedWithoutAStartFreesWhatWaits() throws Exception {
        try (PacketMemory mem = new PacketMemory(64, 0)) {
            BufferCache cache = mem.newCache();
            ControlPunt punt = new ControlPunt(mem, 2);
            assertTrue(punt.offer(cache.allocSmall()));
            assertTrue(punt.offer(cache.allocSmall()));
            assertFalse(punt.offer(cache.allocSmall()), "full at its capacity");
            punt.close();
            cache.close();
            assertEquals(1, mem.inUse(), "the refused one is still the caller's");
        }
    }
}
