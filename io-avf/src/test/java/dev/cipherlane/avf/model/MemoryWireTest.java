package dev.cipherlane.avf.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

class MemoryWireTest {

    @Test
    void framesPassInOrderAndAFullWireDrops() {
        try (MemoryWire wire = new MemoryWire(2); Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(MemoryWire.SLOT_SIZE);
            wire.inject(new byte[] {1, 2, 3});
            wire.inject(new byte[] {4});
            assertFalse(wire.inject(new byte[] {5}));
            assertEquals(1, wire.dropped());
            assertEquals(3, wire.receive(buf));
            assertEquals(2, buf.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 1));
            assertEquals(1, wire.receive(buf));
            assertEquals(-1, wire.receive(buf));
            wire.transmit(MemorySegment.ofArray(new byte[] {9, 8}), 2);
            assertArrayEquals(new byte[] {9, 8}, wire.take());
            assertNull(wire.take());
        }
    }

    @Test
    void loopbackSendsFramesBackIn() {
        try (MemoryWire wire = new MemoryWire(4).loopback(true); Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(MemoryWire.SLOT_SIZE);
            wire.transmit(MemorySegment.ofArray(new byte[] {7, 7, 7}), 3);
            assertEquals(0, wire.sentWaiting());
            assertEquals(3, wire.receive(buf));
        }
    }
}
