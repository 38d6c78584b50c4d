package dev.cipherlane.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/**
 * read and write on the data path must not allocate (no slices, no boxed errno). Measured
 * as bytes this thread allocated, not as time.
 */
class LibcAllocationTest {
    private static final int CALLS = 200_000;
    private static final long BUDGET_BYTES = 1024;
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private static long roundTrips(int fd, MemorySegment buf, int n) throws LinuxException {
        long sum = 0;
        for (int i = 0; i < n; i++) {
            Libc.write(fd, buf, 8, 8);
            sum += Libc.read(fd, buf, 16, 8);
            // Non-blocking and now empty: EAGAIN comes back as a value, not an exception.
            sum += Libc.read(fd, buf, 16, 8);
        }
        return sum;
    }

    @Test
    void eventfdReadAndWriteAllocateNothing() throws Exception {
        try (EventFd efd = EventFd.open(); Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(32);
            buf.set(ValueLayout.JAVA_LONG, 8, 1L);
            roundTrips(efd.fd(), buf, CALLS);
            long before = THREADS.getCurrentThreadAllocatedBytes();
            long sum = roundTrips(efd.fd(), buf, CALLS);
            long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
            assertEquals((8L + Libc.WOULD_BLOCK) * CALLS, sum);
            assertTrue(allocated < BUDGET_BYTES, allocated + " bytes allocated by " + CALLS + " write/read pairs");
        }
    }
}
