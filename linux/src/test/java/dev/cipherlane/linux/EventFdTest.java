package dev.cipherlane.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

class EventFdTest {
    @Test
    void signalsAddUpAndDrainResetsTheCounter() throws Exception {
        try (EventFd efd = EventFd.open()) {
            assertEquals(0, efd.drain(), "nothing signalled yet");
            efd.signal();
            efd.signal();
            efd.signal();
            assertEquals(3, efd.drain());
            assertEquals(0, efd.drain());
        }
    }

    @Test
    void rawWriteAndReadCarryTheEightByteCounter() throws Exception {
        try (EventFd efd = EventFd.open(); Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(16);
            buf.set(ValueLayout.JAVA_LONG_UNALIGNED, 3, 41L);
            assertEquals(8, Libc.write(efd.fd(), buf, 3, 8));
            efd.signal();
            MemorySegment in = arena.allocate(8);
            assertEquals(8, Libc.read(efd.fd(), in, 0, 8));
            assertEquals(42L, in.get(ValueLayout.JAVA_LONG, 0));
            assertEquals(Libc.WOULD_BLOCK, Libc.read(efd.fd(), in, 0, 8));
        }
    }

    @Test
    void semaphoreModeHandsOutOneAtATime() throws Exception {
        try (EventFd efd = EventFd.open(EventFd.EFD_SEMAPHORE | EventFd.EFD_NONBLOCK | EventFd.EFD_CLOEXEC)) {
            efd.signal();
            efd.signal();
            assertEquals(1, efd.drain());
            assertEquals(1, efd.drain());
            assertEquals(0, efd.drain());
        }
    }

    @Test
    void closeIsIdempotentAndUseAfterCloseIsRefused() throws Exception {
        EventFd efd = EventFd.open();
        efd.close();
        efd.close();
        assertThrows(IllegalStateException.class, efd::signal);
    }
}
